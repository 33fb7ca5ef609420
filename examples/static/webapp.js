// Live updates for the users page: on connecting and after every change the
// server sends the users table (rendered from the page's own template) on /ws.
(function () {
  const status = document.getElementById("live");
  const table = document.getElementById("users");
  const scheme = location.protocol === "https:" ? "wss" : "ws";

  function connect() {
    const socket = new WebSocket(`${scheme}://${location.host}/ws`);
    socket.onmessage = (event) => {
      table.innerHTML = JSON.parse(event.data).table;
      status.textContent = "live";
    };
    socket.onclose = () => {
      status.textContent = "reconnecting…";
      setTimeout(connect, 1000);
    };
  }
  connect();
})();

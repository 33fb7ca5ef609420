// Live updates for the users page: the server says "the list changed" on /ws and
// the page fetches the table again (the markup stays in one template).
(function () {
  const status = document.getElementById("live");
  const table = document.getElementById("users");
  const scheme = location.protocol === "https:" ? "wss" : "ws";

  async function refresh() {
    const response = await fetch("/users/table", { credentials: "same-origin" });
    if (response.ok) table.innerHTML = await response.text();
  }

  function connect() {
    const socket = new WebSocket(`${scheme}://${location.host}/ws`);
    socket.onopen = () => { status.textContent = "live"; refresh(); };
    socket.onmessage = refresh;
    socket.onclose = () => {
      status.textContent = "reconnecting…";
      setTimeout(connect, 1000);
    };
  }
  connect();
})();

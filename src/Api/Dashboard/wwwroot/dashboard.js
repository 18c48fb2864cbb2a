// Placeholder dashboard: a connection indicator and live announcements over /hubs/events (the full dashboard comes later).
(() => {
  const status = document.getElementById('connection');
  const list = document.getElementById('announcements');
  const form = document.getElementById('sign-in');
  const tokenInput = document.getElementById('token');
  const topic = 'announcements';
  const shown = 20;
  let lastSequence = 0;
  let connection = null;

  function setStatus(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  function show(message) {
    // The hub never repeats a sequence on one subscription; this guards the resubscribe after a reconnect.
    if (message.topic !== topic || message.sequence <= lastSequence) return;
    lastSequence = message.sequence;
    const a = message.payload;
    const item = document.createElement('li');
    item.dataset.sequence = String(message.sequence);
    item.dataset.severity = a.severity;
    const text = document.createElement('div');
    text.className = 'message';
    text.textContent = a.message;
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = `${a.severity} · ${a.postedBy} · ${new Date(message.occurredAt).toLocaleString()}`;
    item.append(text, meta);
    list.prepend(item);
    while (list.children.length > shown) list.lastElementChild.remove();
  }

  async function subscribe() {
    await connection.invoke('Subscribe', topic, lastSequence);
    setStatus('live', 'live');
  }

  async function connect(token) {
    if (connection) await connection.stop();
    connection = new signalR.HubConnectionBuilder()
      .withUrl('/hubs/events', { accessTokenFactory: () => token })
      .withAutomaticReconnect()
      .build();
    connection.on('event', show);
    connection.on('resync', () => setStatus('reconnecting', 'catching up'));
    connection.onreconnecting(() => setStatus('reconnecting', 'reconnecting'));
    connection.onreconnected(() => subscribe().catch(fail));
    connection.onclose(() => {
      setStatus('disconnected', 'disconnected');
      // The server closes a client that fell behind; start again from the last sequence shown.
      setTimeout(() => start().catch(fail), 1000);
    });
    await start();
  }

  async function start() {
    if (!connection || connection.state !== signalR.HubConnectionState.Disconnected) return;
    setStatus('connecting', 'connecting');
    await connection.start();
    await subscribe();
  }

  function fail(error) {
    setStatus('disconnected', 'disconnected: ' + (error?.message ?? error));
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    sessionStorage.setItem('aractors.token', tokenInput.value);
    connect(tokenInput.value).catch(fail);
  });

  const saved = sessionStorage.getItem('aractors.token');
  if (saved) connect(saved).catch(fail);
})();

// The dashboards' hub: joins by identity, keeps the last sequence per topic, and after a reconnect asks Resync(topic, last)
// for each one, so nothing is missed and nothing is shown twice.
export class Live {
  constructor(token, { onEvent, onStatus, onResynced }) {
    this.last = new Map();
    // Topics being resynced: until the replay reaches the position the new connection joined at, only the next
    // sequence in line is accepted, so live events racing ahead of the replay cannot hide what it brings.
    this.pending = new Map();
    /** Every Resync this page asked for: { topic, after }. */
    this.resyncs = [];
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.onResynced = onResynced ?? (() => {});
    this.stopped = false;
    this.connection = new signalR.HubConnectionBuilder()
      .withUrl('/hubs/collections', { accessTokenFactory: () => token })
      .withAutomaticReconnect([0, 500, 1000, 2000, 5000, 10000])
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    this.connection.on('joined', topics => this.joined(topics).catch(e => this.fail(e)));
    this.connection.on('event', message => this.receive(message));
    this.connection.on('resync', () => this.onStatus('reconnecting', 'catching up'));
    this.connection.onreconnecting(() => this.onStatus('reconnecting', 'reconnecting'));
    this.connection.onclose(error => {
      if (this.stopped) return;
      this.onStatus('disconnected', 'disconnected' + (error ? ': ' + error.message : ''));
      // Closed for good (the server drops a client that fell behind): start again and resync from the last sequences.
      setTimeout(() => this.start().catch(e => this.fail(e)), 2000);
    });
  }

  async start() {
    if (this.stopped || this.connection.state !== signalR.HubConnectionState.Disconnected) return;
    this.onStatus('connecting', 'connecting');
    await this.connection.start();
  }

  async stop() {
    this.stopped = true;
    await this.connection.stop();
  }

  /** The server subscribed this connection from the current end; topics seen before are resynced from their last sequence. */
  async joined(topics) {
    const resynced = [];
    for (const { topic, afterSequence } of topics) {
      const last = this.last.get(topic);
      if (last === undefined) {
        this.last.set(topic, afterSequence);
      } else if (last < afterSequence) {
        this.pending.set(topic, afterSequence);
        this.resyncs.push({ topic, after: last });
        await this.connection.invoke('Resync', topic, last);
        resynced.push(topic);
      }
    }
    this.onStatus('live', 'live');
    if (resynced.length) this.onResynced(resynced);
  }

  receive(message) {
    const last = this.last.get(message.topic) ?? 0;
    if (message.sequence <= last) return;
    const target = this.pending.get(message.topic);
    if (target !== undefined) {
      if (message.sequence !== last + 1) return;
      if (message.sequence >= target) this.pending.delete(message.topic);
    }
    this.last.set(message.topic, message.sequence);
    this.onEvent(message);
  }

  fail(error) {
    this.onStatus('disconnected', 'disconnected: ' + (error?.message ?? error));
  }
}

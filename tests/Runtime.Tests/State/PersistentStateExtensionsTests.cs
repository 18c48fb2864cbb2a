namespace ArActors.Runtime.Tests.State;

/// <summary>WriteStateAsync(next): memory never keeps a state the store refused.</summary>
public sealed class PersistentStateExtensionsTests
{
    [Fact]
    public async Task A_failed_write_puts_the_previous_state_back_and_rethrows()
    {
        var state = new Recording<int> { State = 1, Fail = true };

        await Assert.ThrowsAsync<IOException>(() => state.WriteStateAsync(2));

        Assert.Equal(1, state.State);
        Assert.Equal([2], state.Attempted);
    }

    [Fact]
    public async Task A_successful_write_keeps_the_new_state()
    {
        var state = new Recording<int> { State = 1 };

        await state.WriteStateAsync(2);

        Assert.Equal(2, state.State);
        Assert.Equal([2], state.Attempted);
    }

    /// <summary>Records the state each write was asked to store; fails the write when told to.</summary>
    private sealed class Recording<T> : IPersistentState<T>
    {
        public T State { get; set; } = default!;

        public bool Fail { get; init; }

        public List<T> Attempted { get; } = [];

        public bool RecordExists => Attempted.Count > 0 && !Fail;

        public string? Etag => null;

        public Task ReadStateAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task WriteStateAsync(CancellationToken cancellationToken = default)
        {
            Attempted.Add(State);
            return Fail ? Task.FromException(new IOException("store unavailable")) : Task.CompletedTask;
        }

        public Task ClearStateAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}

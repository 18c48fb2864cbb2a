using System.Collections.Immutable;

namespace ArActors.Runtime.Tests.State;

public sealed record Basket(ImmutableList<string> Items)
{
    public Basket() : this(ImmutableList<string>.Empty) { }
}

public sealed record ItemAdded(string Item);

public interface IBasketGrain : IGrainWithStringKey
{
    /// <summary>Adds the item (once), announcing it on "basket/{key}"; answers when the change is durable.</summary>
    Task Add(string item);

    Task<ImmutableList<string>> Items();

    /// <summary>How many activations this grain has had in the process.</summary>
    Task<int> Activations();
}

/// <summary>A reentrant grain whose calls share writes through a <see cref="SharedStateWriter{TState}"/>.</summary>
[Reentrant]
public sealed class BasketGrain([PersistentState("basket")] IPersistentState<Basket> basket) : Grain, IBasketGrain
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> ActivationCounts = new();

    private SharedStateWriter<Basket> _writer = null!;

    public static string Topic(string key) => "basket/" + key;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _writer = CreateSharedWriter(basket);
        ActivationCounts.AddOrUpdate(GrainKey, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task Add(string item)
    {
        lock (_writer.Gate)
        {
            if (basket.State.Items.Contains(item))
            {
                return _writer.WhenCommittedAsync();
            }

            basket.State = basket.State with { Items = basket.State.Items.Add(item) };
            _writer.Publish(Topic(GrainKey), new ItemAdded(item));
            return _writer.CommitAsync();
        }
    }

    public Task<ImmutableList<string>> Items()
    {
        lock (_writer.Gate)
        {
            return Task.FromResult(basket.State.Items);
        }
    }

    public Task<int> Activations() => Task.FromResult(ActivationCounts.GetValueOrDefault(GrainKey));
}

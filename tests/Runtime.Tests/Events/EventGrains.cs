namespace ArActors.Runtime.Tests.Events;

public sealed record PaymentApplied(string Account, decimal Amount, int Number);

public sealed record AccountBalance(decimal Balance, int Payments);

public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>Applies a payment; with <paramref name="persist"/> the event commits with the state write, else at the end of the turn.</summary>
    Task ApplyPayment(string topic, decimal amount, bool persist);

    Task<AccountBalance> Balance();

    /// <summary>Applies a payment announced on every topic of <paramref name="topics"/>, committed with the state write.</summary>
    Task ApplyPaymentOn(string[] topics, decimal amount);
}

public sealed class AccountGrain([PersistentState("balance")] IPersistentState<AccountBalance> balance) : Grain, IAccountGrain
{
    public async Task ApplyPayment(string topic, decimal amount, bool persist)
    {
        balance.State = balance.State with { Balance = balance.State.Balance + amount, Payments = balance.State.Payments + 1 };
        Publish(topic, new PaymentApplied(GrainKey, amount, balance.State.Payments));
        if (persist)
        {
            await balance.WriteStateAsync();
        }
    }

    public Task<AccountBalance> Balance() => Task.FromResult(balance.State);

    public async Task ApplyPaymentOn(string[] topics, decimal amount)
    {
        balance.State = balance.State with { Balance = balance.State.Balance + amount, Payments = balance.State.Payments + 1 };
        Publish(topics, "PaymentAppliedEverywhere", new PaymentApplied(GrainKey, amount, balance.State.Payments));
        await balance.WriteStateAsync();
    }
}

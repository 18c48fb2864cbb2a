using System.Text.Json;
using ArActors.Runtime;
using ArActors.Runtime.Storage;
using ArActors.Runtime.Testing;

namespace ArActors.Grains.Tests.Actors;

/// <summary>A test cluster over the ledger grains with helpers to send commands and read what was committed.</summary>
internal sealed class LedgerCluster : IAsyncDisposable
{
    public static readonly CommandMeta Collector = new(new Actor("col-1", ActorRole.Collector), "test");
    public static readonly CommandMeta TeamLead = new(new Actor("lead-1", ActorRole.TeamLead), "test");
    public static readonly CommandMeta Manager = new(new Actor("mgr-1", ActorRole.Manager), "test");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private LedgerCluster(TestCluster cluster) => Cluster = cluster;

    public TestCluster Cluster { get; }

    public ManualTimeProvider Clock => Cluster.Clock;

    public static async Task<LedgerCluster> StartAsync(Func<IDurableStore>? store = null, DateTimeOffset? start = null, Action<SiloOptions>? silo = null) =>
        new(await TestCluster.StartAsync(o =>
        {
            o.GrainAssemblies.Add(typeof(AccountGrain).Assembly);
            o.ConfigureSilo = silo;
            if (store is not null)
            {
                o.StoreFactory = store;
            }

            if (start is { } at)
            {
                o.StartTime = at;
            }
        }));

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static Money Usd(decimal amount) => new(amount, "USD");

    public static AccountProfile Profile(string customerId, string timeZone = "Europe/Berlin", string currency = "USD") =>
        new(customerId, "Customer " + customerId, "DE", timeZone, currency, PaymentTerms.Net(30), 50_000m, CustomerSegment.Corporate, "P1", "col-1",
            [new Contact("Ann Payable", "AP clerk", "ap@example.com", "+49 30 1234", ContactChannel.Email, DoNotContact.Phone,
                [new InconvenientTime(DayOfWeek.Friday, new TimeOnly(12, 0), new TimeOnly(23, 59))])]);

    public IAccountGrain Account(string customerId) => Cluster.GetGrain<IAccountGrain>(customerId);

    public IInvoiceGrain Invoice(string customerId, string number) => Cluster.GetGrain<IInvoiceGrain>(AccountGrain.InvoiceKey(customerId, number));

    public IUnallocatedCashGrain Suspense => Cluster.GetGrain<IUnallocatedCashGrain>("default");

    public DateOnly Today(string timeZone = "Europe/Berlin") => BusinessCalendar.Today(Clock.GetUtcNow(), timeZone);

    public async Task<IAccountGrain> OpenAsync(string customerId, string timeZone = "Europe/Berlin")
    {
        Accepted(await Account(customerId).OpenAccount(new OpenAccount(Profile(customerId, timeZone)), Collector));
        return Account(customerId);
    }

    public async Task IssueAsync(string customerId, string number, decimal amount, DateOnly issued, DateOnly? due = null, ExternalRefs? refs = null) =>
        Accepted(await Account(customerId).IssueInvoice(new IssueInvoice(customerId, number, issued, Usd(amount), PaymentTerms.Net(30), due, refs), Collector));

    public async Task<CommandResult> PayAsync(string customerId, string paymentId, decimal amount, DateOnly valueDate, params string[] refs) =>
        Accepted(await Account(customerId).ReceivePayment(
            new ReceivePayment(customerId, new Payment(paymentId, Usd(amount), valueDate, PaymentMethod.BankTransfer, [.. refs])), Collector));

    /// <summary>A summary as comparable text (its bucket array compares by reference otherwise).</summary>
    public static string Describe(AccountSummary? summary) =>
        summary is null ? "none" : (summary with { Buckets = [] }) + " " + string.Join(", ", summary.Buckets);

    public static CommandResult Accepted(CommandResult result)
    {
        Assert.True(result.Accepted, $"Refused: {result.Error}");
        Assert.Null(result.Error);
        return result;
    }

    /// <summary>Every event of a topic, as stored, in sequence order.</summary>
    public async Task<List<StoredEvent>> TopicAsync(string topic)
    {
        var all = new List<StoredEvent>();
        for (long after = 0; ;)
        {
            var page = await Cluster.Events.ReadAsync(topic, after, 1000);
            all.AddRange(page);
            if (page.Count == 0)
            {
                return all;
            }

            after = page[^1].Sequence;
        }
    }

    public async Task<List<InvoiceAgingBucketChanged>> BucketMovesAsync(string customerId) =>
        [.. (await TopicAsync(LedgerTopics.Account(customerId)))
            .Where(e => e.EventType == nameof(InvoiceAgingBucketChanged))
            .Select(e => JsonSerializer.Deserialize<InvoiceAgingBucketChanged>(e.Payload.Span, Json)!)];

    /// <summary>All accounts' ledger slices and the suspense slice as one ledger, as the invariant checker sees a whole book.</summary>
    public async Task<LedgerState> WholeLedgerAsync(IEnumerable<string> customerIds)
    {
        var whole = await Suspense.GetLedger();
        foreach (var id in customerIds)
        {
            var slice = await Account(id).GetLedger();
            whole = whole with
            {
                Accounts = whole.Accounts.SetItems(slice.Accounts),
                Invoices = whole.Invoices.SetItems(slice.Invoices),
                Payments = whole.Payments.SetItems(slice.Payments),
                WriteOffs = whole.WriteOffs.SetItems(slice.WriteOffs),
                AllocationOwners = whole.AllocationOwners.SetItems(slice.AllocationOwners),

                // The suspense grain's copy of an item is the authority on whether it is still open.
                UnallocatedCash = slice.UnallocatedCash.SetItems(whole.UnallocatedCash),
            };
        }

        return whole;
    }

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();
}

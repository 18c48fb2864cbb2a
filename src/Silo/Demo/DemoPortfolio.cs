using System.Collections.Immutable;
using ArActors.Grains;
using ArActors.Grains.Accounts;
using ArActors.Grains.Invoices;
using ArActors.Grains.Payments;
using Bogus;

namespace ArActors.Silo.Demo;

/// <summary>One generated customer: who they are, what they were invoiced, what they paid.</summary>
public sealed record DemoAccount(AccountProfile Profile, ImmutableArray<IssueInvoice> Invoices, ImmutableArray<Payment> Payments);

/// <summary>
/// A seeded, reproducible portfolio for <c>--demo</c>: customers across segments, countries, collectors and teams,
/// invoices issued over the last five months on each customer's terms (so every aging bucket has some), and payments
/// that settle some invoices in full, some in part and leave the rest open.
/// </summary>
public static class DemoPortfolio
{
    public const string Currency = "USD";

    public static readonly ImmutableArray<string> Collectors = ["collector-1", "collector-2", "collector-3", "collector-4", "collector-5", "collector-6"];

    private static readonly (string Country, string TimeZone)[] Places =
    [
        ("US", "America/New_York"), ("US", "America/Chicago"), ("US", "America/Los_Angeles"),
        ("GB", "Europe/London"), ("DE", "Europe/Berlin"), ("NL", "Europe/Amsterdam"),
    ];

    public static IReadOnlyList<DemoAccount> Generate(int seed, int accounts, DateOnly today)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(accounts);
        var faker = new Faker("en") { Random = new Randomizer(seed) };
        var result = new List<DemoAccount>(accounts);
        for (var i = 0; i < accounts; i++)
        {
            var customerId = $"DEMO-{i + 1:D5}";
            var segment = faker.PickRandom<CustomerSegment>();
            var (country, timeZone) = faker.PickRandom(Places);
            var collector = Collectors[i % Collectors.Length];
            var terms = segment == CustomerSegment.Consumer ? PaymentTerms.Net(14) : faker.Random.Bool(0.7f) ? PaymentTerms.Net(30) : PaymentTerms.EndOfMonthPlus(30);
            var person = faker.Name.FullName();
            var profile = new AccountProfile(
                customerId,
                segment == CustomerSegment.Consumer ? person : faker.Company.CompanyName(),
                country,
                timeZone,
                Currency,
                terms,
                CreditLimit: faker.Random.Int(5, 200) * 1_000m,
                segment,
                Portfolio: collector is "collector-1" or "collector-2" or "collector-3" ? "north" : "south",
                AssignedCollector: collector,
                Contacts:
                [
                    new Contact(person, segment == CustomerSegment.Consumer ? "Account holder" : "Accounts payable",
                        faker.Internet.Email(person), faker.Phone.PhoneNumber("+1##########"),
                        faker.PickRandom<ContactChannel>(), faker.Random.Bool(0.05f) ? DoNotContact.Phone : DoNotContact.None, []),
                ]);

            var invoices = ImmutableArray.CreateBuilder<IssueInvoice>();
            var payments = ImmutableArray.CreateBuilder<Payment>();
            var count = faker.Random.Int(1, 8);
            for (var n = 0; n < count; n++)
            {
                var number = $"{customerId}-INV-{n + 1:D3}";
                var issued = today.AddDays(-faker.Random.Int(0, 150));
                var amount = new Money(Math.Round(faker.Random.Decimal(50m, 25_000m), 2), Currency);
                invoices.Add(new IssueInvoice(customerId, number, issued, amount, terms));

                // Older invoices are more likely settled; some only in part, so partial payments show.
                var age = today.DayNumber - issued.DayNumber;
                var roll = faker.Random.Double();
                if (roll < Math.Min(0.75, age / 120.0))
                {
                    var paid = roll < 0.15 ? Math.Round(amount.Amount * 0.4m, 2) : amount.Amount;
                    var valueDate = issued.AddDays(faker.Random.Int(5, Math.Max(5, age)));
                    payments.Add(new Payment($"{number}-PAY", new Money(paid, Currency), valueDate > today ? today : valueDate,
                        faker.PickRandom<PaymentMethod>(), [number]));
                }
            }

            result.Add(new DemoAccount(profile, invoices.ToImmutable(), payments.ToImmutable()));
        }

        return result;
    }
}

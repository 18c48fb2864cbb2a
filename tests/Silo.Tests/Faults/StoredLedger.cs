using System.Text.Json;
using ArActors.Grains.Accounts;
using ArActors.Grains.Ledger;
using ArActors.Grains.Payments;
using Npgsql;

namespace ArActors.Silo.Tests.Faults;

/// <summary>
/// The whole ledger as PostgreSQL holds it: every account rebuilt from its rows (head, snapshot and the ledger events
/// of its topic after the snapshot, as the account grain does on activation) and the suspense slice, read from
/// <c>aractors.grain_state</c> and <c>aractors.events</c> directly (no engine in between), merged as the invariant
/// checker sees one book.
/// </summary>
public static class StoredLedger
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<LedgerState> ReadAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();

        // One snapshot of the database for every row read, should the engine still be writing.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        var heads = new SortedDictionary<string, AccountGrainState>(StringComparer.Ordinal);
        var snapshots = new Dictionary<string, AccountSnapshot>(StringComparer.Ordinal);
        var suspense = LedgerState.Empty;
        await using (var command = new NpgsqlCommand(
            "SELECT grain_type, grain_key, state_name, payload FROM aractors.grain_state WHERE grain_type IN ('account', 'unallocated-cash')", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var payload = (byte[])reader[3];
                switch (reader.GetString(0), reader.GetString(2))
                {
                    case ("account", AccountJournal.SnapshotStateName):
                        snapshots[reader.GetString(1)] = JsonSerializer.Deserialize<AccountSnapshot>(payload, Json)!;
                        break;
                    case ("account", _):
                        heads[reader.GetString(1)] = JsonSerializer.Deserialize<AccountGrainState>(payload, Json)!;
                        break;
                    default:
                        suspense = JsonSerializer.Deserialize<UnallocatedCashGrainState>(payload, Json)!.Ledger;
                        break;
                }
            }
        }

        var accounts = new List<LedgerState>();
        foreach (var (customerId, head) in heads)
        {
            var snapshot = snapshots.GetValueOrDefault(customerId) ?? new AccountSnapshot();
            var after = head.Ledger is null ? await ReadJournalAsync(connection, customerId, snapshot.Sequence) : [];
            accounts.Add(AccountJournal.Rebuild(customerId, head, snapshot, after));
        }

        var whole = suspense;
        foreach (var slice in accounts)
        {
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

    private static async Task<List<LedgerEvent>> ReadJournalAsync(NpgsqlConnection connection, string customerId, long afterSequence)
    {
        await using var command = new NpgsqlCommand(
            "SELECT payload FROM aractors.events WHERE topic = $1 AND sequence > $2 AND source_grain_type = 'account' AND source_grain_key = $3 ORDER BY sequence", connection)
        {
            Parameters = { new() { Value = LedgerTopics.Account(customerId) }, new() { Value = afterSequence }, new() { Value = customerId } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        var events = new List<LedgerEvent>();
        while (await reader.ReadAsync())
        {
            events.Add(JsonSerializer.Deserialize<LedgerEvent>((byte[])reader[0], Json)!);
        }

        return events;
    }

    /// <summary>Reads the stored ledger and fails with every violation the invariant checker finds.</summary>
    public static async Task<LedgerState> AssertInvariantsAsync(string connectionString)
    {
        var ledger = await ReadAsync(connectionString);
        var violations = InvariantChecker.Check(ledger);
        Assert.True(violations.IsEmpty, "ledger invariants violated in PostgreSQL:\n" + string.Join('\n', violations.Take(20)));
        return ledger;
    }
}

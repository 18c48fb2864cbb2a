using System.Text.Json;
using ArActors.Grains.Accounts;
using ArActors.Grains.Ledger;
using ArActors.Grains.Payments;
using Npgsql;

namespace ArActors.Silo.Tests.Faults;

/// <summary>
/// The whole ledger as PostgreSQL holds it: every account grain's committed slice and the suspense slice, read from
/// <c>aractors.grain_state</c> directly (no engine in between), merged as the invariant checker sees one book.
/// </summary>
public static class StoredLedger
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<LedgerState> ReadAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT grain_type, payload FROM aractors.grain_state WHERE grain_type IN ('account', 'unallocated-cash') ORDER BY grain_type, grain_key", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var accounts = new List<LedgerState>();
        var suspense = LedgerState.Empty;
        while (await reader.ReadAsync())
        {
            var payload = (byte[])reader[1];
            if (reader.GetString(0) == "account")
            {
                accounts.Add(JsonSerializer.Deserialize<AccountGrainState>(payload, Json)!.Ledger);
            }
            else
            {
                suspense = JsonSerializer.Deserialize<UnallocatedCashGrainState>(payload, Json)!.Ledger;
            }
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

    /// <summary>Reads the stored ledger and fails with every violation the invariant checker finds.</summary>
    public static async Task<LedgerState> AssertInvariantsAsync(string connectionString)
    {
        var ledger = await ReadAsync(connectionString);
        var violations = InvariantChecker.Check(ledger);
        Assert.True(violations.IsEmpty, "ledger invariants violated in PostgreSQL:\n" + string.Join('\n', violations.Take(20)));
        return ledger;
    }
}

namespace ArActors.Grains.Accounts;

/// <summary>
/// One customer account (key = customer id, e.g. "ACME-001") and its slice of the receivables ledger: profile,
/// invoices, payments, credits and write-offs. Commands are decided by LedgerRules; a refusal is a value and changes
/// nothing; a repeated command (same ids) commits nothing new. A command for another account is refused.
/// </summary>
public interface IAccountGrain : IGrainWithStringKey
{
    Task<CommandResult> OpenAccount(OpenAccount command, CommandMeta meta);

    Task<CommandResult> UpdateProfile(UpdateAccountProfile command, CommandMeta meta);

    Task<CommandResult> ChangeStatus(ChangeAccountStatus command, CommandMeta meta);

    Task<CommandResult> IssueInvoice(IssueInvoice command, CommandMeta meta);

    Task<CommandResult> CancelInvoice(CancelInvoice command, CommandMeta meta);

    Task<CommandResult> DisputeInvoice(DisputeInvoice command, CommandMeta meta);

    Task<CommandResult> ResolveDispute(ResolveDispute command, CommandMeta meta);

    /// <summary>Cash from this account, applied by CashApplication (remittance refs, exact amount, oldest first).</summary>
    Task<CommandResult> ReceivePayment(ReceivePayment command, CommandMeta meta);

    Task<CommandResult> AllocatePayment(AllocatePayment command, CommandMeta meta);

    Task<CommandResult> DeallocatePayment(DeallocatePayment command, CommandMeta meta);

    Task<CommandResult> ReallocatePayment(ReallocatePayment command, CommandMeta meta);

    /// <summary>Bounced payment: reopens exactly what it paid.</summary>
    Task<CommandResult> ReversePayment(ReversePayment command, CommandMeta meta);

    /// <summary>Credit note or adjustment (CreditInvoice.Kind), with the reason in the meta.</summary>
    Task<CommandResult> CreditInvoice(CreditInvoice command, CommandMeta meta);

    /// <summary>Applied at once within the requester's authority, otherwise pending until approved.</summary>
    Task<CommandResult> RequestWriteOff(RequestWriteOff command, CommandMeta meta);

    Task<CommandResult> ApproveWriteOff(ApproveWriteOff command, CommandMeta meta);

    Task<CommandResult> RejectWriteOff(RejectWriteOff command, CommandMeta meta);

    /// <summary>Called by the unallocated-cash grain: books identified suspense cash as this account's payment and applies it.</summary>
    Task<CommandResult> PostIdentifiedCash(UnallocatedCash cash, CommandMeta meta);

    /// <summary>Null until the account is opened.</summary>
    [ReadOnly]
    Task<AccountProfile?> GetProfile();

    /// <summary>Balances and aging as of today in the account's time zone; null until the account is opened.</summary>
    [ReadOnly]
    Task<AccountSummary?> GetSummary();

    /// <summary>The same summary as of any date, rebuilt from the account's history (not from today's state).</summary>
    Task<AccountSummary?> GetSummaryAsOf(DateOnly asOf);

    [ReadOnly]
    Task<ImmutableArray<InvoiceSnapshot>> GetInvoices();

    /// <summary>Every ledger event of the account, in commit order, each with who, when and why.</summary>
    Task<ImmutableArray<LedgerEvent>> GetHistory();

    /// <summary>The account's change counter: it grows with every committed change (the API's ETag).</summary>
    [ReadOnly]
    Task<long> GetVersion();

    /// <summary>The account's ledger slice as folded (for invariant checks and diagnostics).</summary>
    [ReadOnly]
    Task<LedgerState> GetLedger();
}

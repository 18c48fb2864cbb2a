using System.Collections.Immutable;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using ArActors.Api.Idempotency;
using ArActors.Api.Security;
using ArActors.Grains;
using ArActors.Grains.Accounts;
using ArActors.Grains.Invoices;
using ArActors.Grains.Ledger;
using ArActors.Grains.Payments;
using ArActors.Grains.WriteOffs;
using ArActors.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ArActors.Api.Ledger;

/// <summary>
/// REST over the ledger grains: accounts, invoices, payments and allocations, credits, write-offs, unallocated cash.
/// A 2xx means the grain committed the change; a refusal is a problem+json naming the field and a stable code and
/// changes nothing; repeating a command (same ids) changes nothing and answers 200 with <c>unchanged: true</c>.
/// </summary>
public static class LedgerEndpoints
{
    public const string UnallocatedCashQueue = "default";

    private static readonly string[] PeopleWhoWork = [Roles.Collector, Roles.TeamLead, Roles.Manager, Roles.Admin];
    /// <summary>The most invoices one batch may hold.</summary>
    public const int MaxBatch = 500;

    private static readonly string[] Bookkeepers = [Roles.Integration, Roles.Manager, Roles.Admin];
    private static readonly string[] CashAppliers = [Roles.Collector, Roles.TeamLead, Roles.Manager, Roles.Admin, Roles.Integration];
    private static readonly string[] Approvers = [Roles.TeamLead, Roles.Manager, Roles.Admin];

    /// <summary>JSON of the API: camelCase, enums as camelCase strings (numbers refused), dates as ISO 8601.</summary>
    public static IHostApplicationBuilder AddArActorsLedgerApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Events.IAccountReadScope, PortfolioAccountReadScope>();
        builder.Services.ConfigureHttpJsonOptions(o =>
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false)));
        return builder;
    }

    public static RouteGroupBuilder MapLedgerApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").RequireAuthorization().RequireRateLimiting(SecurityExtensions.RateLimitPolicy).WithTags("Ledger");

        api.MapPost("/accounts", OpenAccount).RequireAuthorization(p => p.RequireRole(Bookkeepers)).WithIdempotency()
            .Accepts<AccountRequest>("application/json").Produces<AccountView>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithSummary("Opens a customer account.");
        api.MapGet("/accounts/{customerId}", GetAccount).Produces<AccountView>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("An account: profile, status and summary (balances, aging as of today in the account's time zone). ETag: the account's version; "
                + "every command on the account takes If-Match with it and answers 412 if the account changed since.");
        api.MapPut("/accounts/{customerId}", UpdateAccount).RequireAuthorization(p => p.RequireRole(Bookkeepers))
            .Accepts<AccountRequest>("application/json").Produces<CommandResponse>().ProducesValidationProblem()
            .WithSummary("Replaces the account's master data (contacts, collector, terms...).");
        api.MapPost("/accounts/{customerId}/status", ChangeStatus).RequireAuthorization(p => p.RequireRole(Approvers)).WithIdempotency()
            .Accepts<AccountStatusRequest>("application/json").Produces<CommandResponse>().WithSummary("Sets the account status (credit hold, agency...).");
        api.MapGet("/accounts/{customerId}/invoices", GetInvoices).Produces<InvoiceList>().WithSummary("The account's invoices with status, open amount and aging.");
        api.MapGet("/accounts/{customerId}/invoices/{number}", GetInvoice).Produces<InvoiceSnapshot>().WithSummary("One invoice.");
        api.MapGet("/accounts/{customerId}/history", GetHistory).Produces<HistoryList>().WithSummary("Every ledger event of the account in order, with who, when and why.");
        api.MapGet("/accounts/{customerId}/aging", GetAging).Produces<AccountSummary>()
            .WithSummary("The account's balances and aging as of any date (?asOf=YYYY-MM-DD), rebuilt from its history.");

        api.MapPost("/accounts/{customerId}/invoices", IssueInvoice).RequireAuthorization(p => p.RequireRole(Bookkeepers)).WithIdempotency()
            .Accepts<InvoiceRequest>("application/json").Produces<CommandResponse>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithSummary("Issues an invoice; the due date follows from the account's terms unless given.");
        api.MapPost("/accounts/{customerId}/invoices/batch", IssueInvoiceBatch).RequireAuthorization(p => p.RequireRole(Bookkeepers)).WithIdempotency()
            .Accepts<InvoiceBatchRequest>("application/json").Produces<InvoiceBatchResponse>().ProducesValidationProblem()
            .WithSummary("Issues up to 500 invoices ({\"items\": [...]}, each like the single POST): all items are checked first and a bad one (items[i].field) issues nothing; "
                + "then each is issued on its own, so the batch is not all-or-nothing: the 200 answer has a status per item (201 issued, 200 unchanged, 4xx with field and code). "
                + "Retrying is safe: an invoice number already issued with the same content answers 200 unchanged.");
        api.MapPost("/accounts/{customerId}/invoices/{number}/cancellation", CancelInvoice).RequireAuthorization(p => p.RequireRole(Bookkeepers)).WithIdempotency()
            .Accepts<ReasonRequest>("application/json").Produces<CommandResponse>().WithSummary("Cancels an invoice that has no payments, credits or write-offs.");
        // An invoice's dispute and its resolution are the workflow's (Workflow/DisputeEndpoints): owner, SLA, disputed amount.
        api.MapPost("/accounts/{customerId}/invoices/{number}/credits", CreditInvoice).RequireAuthorization(p => p.RequireRole(Approvers.Append(Roles.Integration).ToArray())).WithIdempotency()
            .Accepts<CreditRequest>("application/json").Produces<CommandResponse>().WithSummary("A credit note or adjustment reducing the invoice's open amount, with a reason.");

        api.MapPost("/accounts/{customerId}/payments", ReceivePayment).RequireAuthorization(p => p.RequireRole(CashAppliers)).WithIdempotency()
            .Accepts<PaymentRequest>("application/json").Produces<CommandResponse>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithSummary("Posts a payment; it is applied by remittance references, then an exact-amount match, then oldest first; the rest is unapplied credit.");
        api.MapPost("/accounts/{customerId}/payments/{paymentId}/reversal", ReversePayment).RequireAuthorization(p => p.RequireRole(CashAppliers)).WithIdempotency()
            .Accepts<ReasonRequest>("application/json").Produces<CommandResponse>().WithSummary("Reverses a bounced payment: reopens exactly what it paid.");
        api.MapPost("/accounts/{customerId}/payments/{paymentId}/allocations", AllocatePayment).RequireAuthorization(p => p.RequireRole(CashAppliers)).WithIdempotency()
            .Accepts<AllocationRequest>("application/json").Produces<CommandResponse>().WithSummary("Applies part of the payment's unapplied credit to an invoice.");
        api.MapPost("/accounts/{customerId}/payments/{paymentId}/allocations/{allocationId}/deallocation", DeallocatePayment)
            .RequireAuthorization(p => p.RequireRole(CashAppliers)).WithIdempotency()
            .Accepts<ReasonRequest>("application/json").Produces<CommandResponse>().WithSummary("Undoes one allocation; its cash returns to unapplied credit.");
        api.MapPost("/accounts/{customerId}/payments/{paymentId}/allocations/{allocationId}/reallocation", ReallocatePayment)
            .RequireAuthorization(p => p.RequireRole(CashAppliers)).WithIdempotency()
            .Accepts<ReallocationRequest>("application/json").Produces<CommandResponse>().WithSummary("Moves an allocation (or part of it) to another invoice, atomically.");

        api.MapPost("/accounts/{customerId}/write-offs", RequestWriteOff).RequireAuthorization(p => p.RequireRole(PeopleWhoWork)).WithIdempotency()
            .Accepts<WriteOffRequest>("application/json").Produces<CommandResponse>(StatusCodes.Status201Created)
            .WithSummary("Requests a write-off: applied at once within the requester's authority, otherwise pending approval.");
        api.MapPost("/accounts/{customerId}/write-offs/{writeOffId}/approval", ApproveWriteOff).RequireAuthorization(p => p.RequireRole(Approvers)).WithIdempotency()
            .Accepts<ReasonRequest>("application/json").Produces<CommandResponse>().WithSummary("Approves a pending write-off (needs authority for its amount).");
        api.MapPost("/accounts/{customerId}/write-offs/{writeOffId}/rejection", RejectWriteOff).RequireAuthorization(p => p.RequireRole(Approvers)).WithIdempotency()
            .Accepts<ReasonRequest>("application/json").Produces<CommandResponse>().WithSummary("Rejects a pending write-off.");

        api.MapPost("/unallocated-cash", ReceiveUnidentifiedCash).RequireAuthorization(p => p.RequireRole(CashAppliers)).WithIdempotency()
            .Accepts<PaymentRequest>("application/json").Produces<CommandResponse>(StatusCodes.Status201Created)
            .WithSummary("Cash whose account is not known: it waits in the unallocated-cash queue.");
        api.MapGet("/unallocated-cash", ListUnallocatedCash).RequireAuthorization(p => p.RequireRole(CashAppliers)).Produces<UnallocatedCashList>()
            .WithSummary("The unallocated-cash queue, oldest first, with each item's age in days and totals per currency.");
        api.MapPost("/unallocated-cash/{paymentId}/allocation", IdentifyCash).RequireAuthorization(p => p.RequireRole(CashAppliers)).WithIdempotency()
            .Accepts<IdentifyCashRequest>("application/json").Produces<CommandResponse>().WithSummary("Assigns queued cash to an account, which applies it.");
        api.MapPost("/unallocated-cash/{paymentId}/reversal", ReverseUnidentifiedCash).RequireAuthorization(p => p.RequireRole(CashAppliers)).WithIdempotency()
            .Accepts<ReasonRequest>("application/json").Produces<CommandResponse>().WithSummary("Queued cash that bounced leaves the queue.");
        return api;
    }

    // --- accounts --------------------------------------------------------------------------------------------------

    private static async Task<IResult> OpenAccount(HttpRequest http, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (body, problem) = await LedgerHttp.ReadBodyAsync<AccountRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        var check = new RequestValidator();
        if (check.Profile(body!, customerIdFromPath: null) is not { } profile)
        {
            return LedgerHttp.Invalid(check.Errors);
        }

        var account = grains.GetGrain<IAccountGrain>(profile.CustomerId);
        var result = await account.OpenAccount(new OpenAccount(profile), LedgerHttp.Meta(user, null, "account opened"));
        if (!result.Accepted)
        {
            return LedgerHttp.Refused(result.Error!);
        }

        var view = new AccountView(profile, profile.Status, result.Summary ?? await account.GetSummary());
        return result.Unchanged ? TypedResults.Ok(view) : TypedResults.Created(AccountPath(profile.CustomerId), view);
    }

    private static async Task<IResult> GetAccount(string customerId, HttpResponse response, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (account, profile, missing) = await VisibleAccount(customerId, user, grains);
        if (missing is not null)
        {
            return missing;
        }

        // Version first: a change landing between the reads makes the tag older than the body, so If-Match fails safe.
        response.Headers.ETag = LedgerHttp.ETagOf(await account!.GetVersion());
        return TypedResults.Ok(new AccountView(profile!, profile!.Status, await account.GetSummary()));
    }

    private static Task<IResult> UpdateAccount(string customerId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains) =>
        Execute<AccountRequest>(http, customerId, user, grains, (body, check, current) =>
            check.Profile(body, customerId) is { } profile
                ? new Plan((account, meta) => account.UpdateProfile(new UpdateAccountProfile(profile with { Status = current.Status }), meta), null, "profile updated")
                : null);

    private static Task<IResult> ChangeStatus(string customerId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains) =>
        Execute<AccountStatusRequest>(http, customerId, user, grains, (body, check, _) =>
            check.Defined("status", check.Required("status", body.Status)) is { } status
                ? new Plan((account, meta) => account.ChangeStatus(new ChangeAccountStatus(customerId, status), meta), check.Reason(body.Reason), "status changed")
                : null);

    private static async Task<IResult> GetInvoices(string customerId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (account, _, missing) = await VisibleAccount(customerId, user, grains);
        return missing ?? TypedResults.Ok(new InvoiceList(customerId, await account!.GetInvoices()));
    }

    private static async Task<IResult> GetInvoice(string customerId, string number, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (account, _, missing) = await VisibleAccount(customerId, user, grains);
        if (missing is not null)
        {
            return missing;
        }

        var invoice = (await account!.GetInvoices()).FirstOrDefault(i => i.Number == number);
        return invoice is null ? LedgerHttp.NotFound("invoice", $"{customerId}/{number}") : TypedResults.Ok(invoice);
    }

    private static async Task<IResult> GetHistory(string customerId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (account, _, missing) = await VisibleAccount(customerId, user, grains);
        return missing ?? TypedResults.Ok(new HistoryList(customerId, await account!.GetHistory()));
    }

    private static async Task<IResult> GetAging(string customerId, string? asOf, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (account, _, missing) = await VisibleAccount(customerId, user, grains);
        if (missing is not null)
        {
            return missing;
        }

        if (asOf is null)
        {
            return TypedResults.Ok(await account!.GetSummary());
        }

        return DateOnly.TryParseExact(asOf, "yyyy-MM-dd", out var date)
            ? TypedResults.Ok(await account!.GetSummaryAsOf(date))
            : LedgerHttp.Invalid("asOf", "must be a date as YYYY-MM-DD.");
    }

    // --- invoices --------------------------------------------------------------------------------------------------

    private static Task<IResult> IssueInvoice(string customerId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains) =>
        Execute<InvoiceRequest>(http, customerId, user, grains, (body, check, profile) =>
        {
            var command = InvoiceOf(customerId, body, check, profile);
            return command is not null && check.IsValid
                ? new Plan((account, meta) => account.IssueInvoice(command, meta), null, "invoice issued", $"{AccountPath(customerId)}/invoices/{command.InvoiceNumber}")
                : null;
        });

    /// <summary>
    /// Checks every item first (a bad one is a 400 naming <c>items[i].field</c>, and nothing is issued), then issues each through the
    /// account grain in order. Not all-or-nothing: an item the ledger refuses (say a number issued before with other content) is
    /// reported with its status, field and code while the others are issued; a retry is safe because invoice numbers are idempotent.
    /// </summary>
    private static async Task<IResult> IssueInvoiceBatch(string customerId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (body, problem) = await LedgerHttp.ReadBodyAsync<InvoiceBatchRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        var (account, profile, missing) = await VisibleAccount(customerId, user, grains);
        if (missing is not null)
        {
            return missing;
        }

        if (body!.Items is not { } items || items.IsDefault)
        {
            return LedgerHttp.Invalid("items", "is required: an array of 1 to 500 invoices.");
        }

        if (items.Length is 0 or > MaxBatch)
        {
            return LedgerHttp.Invalid("items", $"must hold 1 to {MaxBatch} invoices; got {items.Length}.");
        }

        var check = new RequestValidator();
        var commands = new List<IssueInvoice>(items.Length);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (i, item) in items.Index())
        {
            if (item is null)
            {
                check.Add($"items[{i}]", "must be an invoice object.");
                continue;
            }

            if (InvoiceOf(customerId, item, check, profile!, $"items[{i}].") is not { } command)
            {
                continue;
            }

            if (seen.TryGetValue(command.InvoiceNumber, out var first))
            {
                check.Add($"items[{i}].number", $"repeats items[{first}].number; each invoice number may appear once in a batch.");
            }

            seen.TryAdd(command.InvoiceNumber, i);
            commands.Add(command);
        }

        if (!check.IsValid)
        {
            return LedgerHttp.Invalid(check.Errors);
        }

        var results = ImmutableArray.CreateBuilder<InvoiceBatchItem>(commands.Count);
        foreach (var (i, command) in commands.Index())
        {
            var result = await account!.IssueInvoice(command, LedgerHttp.Meta(user, null, "invoice issued"));
            results.Add(result switch
            {
                { Accepted: false } => new InvoiceBatchItem(i, command.InvoiceNumber, LedgerHttp.StatusOf(result.Error!), result.Error!.Field, result.Error.Code, result.Error.Message),
                { Unchanged: true } => new InvoiceBatchItem(i, command.InvoiceNumber, StatusCodes.Status200OK),
                _ => new InvoiceBatchItem(i, command.InvoiceNumber, StatusCodes.Status201Created),
            });
        }

        var answer = results.MoveToImmutable();
        return TypedResults.Ok(new InvoiceBatchResponse(customerId, answer.Count(r => r.Status == StatusCodes.Status201Created),
            answer.Count(r => r.Status == StatusCodes.Status200OK), answer.Count(r => r.Status >= 400), answer));
    }

    /// <summary>An invoice request checked with its fields under <paramref name="prefix"/>; null when it is not valid.</summary>
    private static IssueInvoice? InvoiceOf(string customerId, InvoiceRequest body, RequestValidator check, AccountProfile profile, string prefix = "")
    {
        var errorsBefore = check.Errors.Count;
        var number = check.Id(prefix + "number", body.Number);
        var issued = check.Required(prefix + "issueDate", body.IssueDate);
        var amount = check.PositiveMoney(prefix + "amount", body.Amount, prefix + "currency", body.Currency ?? profile.Currency);
        var terms = check.Terms(prefix + "terms", body.Terms, required: false) ?? profile.Terms;
        if (body.DueDate < body.IssueDate)
        {
            check.Add(prefix + "dueDate", "must not be before the issue date.");
        }

        return check.Errors.Count == errorsBefore ? new IssueInvoice(customerId, number!, issued!.Value, amount!, terms, body.DueDate, body.Refs) : null;
    }

    private static Task<IResult> CancelInvoice(string customerId, string number, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains) =>
        Execute<ReasonRequest>(http, customerId, user, grains, (body, check, _) =>
            new Plan((account, meta) => account.CancelInvoice(new CancelInvoice(number), meta), check.Reason(body.Reason), "invoice cancelled"));

    private static Task<IResult> CreditInvoice(string customerId, string number, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains) =>
        Execute<CreditRequest>(http, customerId, user, grains, (body, check, profile) =>
        {
            var creditId = check.Id("creditId", body.CreditId);
            var amount = check.PositiveMoney("amount", body.Amount, "currency", body.Currency ?? profile.Currency);
            var date = check.Required("creditDate", body.CreditDate);
            var kind = check.Defined("kind", body.Kind) ?? CreditKind.CreditNote;
            var reason = check.Text("reason", body.Reason, 500);
            return check.IsValid
                ? new Plan((account, meta) => account.CreditInvoice(new CreditInvoice(number, creditId!, amount!, date!.Value, kind), meta), reason, "credit")
                : null;
        });

    // --- payments --------------------------------------------------------------------------------------------------

    private static Task<IResult> ReceivePayment(string customerId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains) =>
        Execute<PaymentRequest>(http, customerId, user, grains, (body, check, profile) =>
            PaymentOf(body, check, profile.Currency) is { } payment
                ? new Plan(
                    (account, meta) => account.ReceivePayment(new ReceivePayment(customerId, payment), meta),
                    null,
                    "payment received",
                    $"{AccountPath(customerId)}/payments/{payment.PaymentId}")
                : null);

    private static Task<IResult> ReversePayment(string customerId, string paymentId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains) =>
        Execute<ReasonRequest>(http, customerId, user, grains, (body, check, _) =>
            new Plan((account, meta) => account.ReversePayment(new ReversePayment(paymentId), meta), check.Reason(body.Reason), "payment reversed"));

    private static Task<IResult> AllocatePayment(string customerId, string paymentId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains) =>
        Execute<AllocationRequest>(http, customerId, user, grains, (body, check, profile) =>
        {
            var allocationId = check.Id("allocationId", body.AllocationId);
            var invoice = check.Id("invoiceNumber", body.InvoiceNumber);
            var amount = check.PositiveMoney("amount", body.Amount, "currency", body.Currency ?? profile.Currency);
            return check.IsValid
                ? new Plan((account, meta) => account.AllocatePayment(new AllocatePayment(allocationId!, paymentId, invoice!, amount!), meta), check.Reason(body.Reason), "manual allocation")
                : null;
        });

    private static Task<IResult> DeallocatePayment(string customerId, string paymentId, string allocationId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains) =>
        Execute<ReasonRequest>(http, customerId, user, grains, (body, check, _) =>
            new Plan((account, meta) => account.DeallocatePayment(new DeallocatePayment(paymentId, allocationId), meta), check.Reason(body.Reason), "deallocation"));

    private static Task<IResult> ReallocatePayment(string customerId, string paymentId, string allocationId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains) =>
        Execute<ReallocationRequest>(http, customerId, user, grains, (body, check, profile) =>
        {
            var newId = check.Id("newAllocationId", body.NewAllocationId);
            var invoice = check.Id("toInvoiceNumber", body.ToInvoiceNumber);
            var amount = body.Amount is null ? null : check.PositiveMoney("amount", body.Amount, "currency", body.Currency ?? profile.Currency);
            return check.IsValid
                ? new Plan(
                    (account, meta) => account.ReallocatePayment(new ReallocatePayment(paymentId, allocationId, newId!, invoice!, amount), meta),
                    check.Reason(body.Reason),
                    "reallocation")
                : null;
        });

    // --- write-offs ------------------------------------------------------------------------------------------------

    private static Task<IResult> RequestWriteOff(string customerId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains) =>
        Execute<WriteOffRequest>(http, customerId, user, grains, (body, check, profile) =>
        {
            var id = check.Id("writeOffId", body.WriteOffId);
            var invoice = check.Id("invoiceNumber", body.InvoiceNumber);
            var amount = check.PositiveMoney("amount", body.Amount, "currency", body.Currency ?? profile.Currency);
            var reason = check.Text("reason", body.Reason, 500);
            return check.IsValid
                ? new Plan(
                    (account, meta) => account.RequestWriteOff(new RequestWriteOff(id!, invoice!, amount!), meta),
                    reason,
                    "write-off",
                    $"{AccountPath(customerId)}/write-offs/{id}")
                : null;
        });

    private static Task<IResult> ApproveWriteOff(string customerId, string writeOffId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains) =>
        Execute<ReasonRequest>(http, customerId, user, grains, (body, check, _) =>
            new Plan((account, meta) => account.ApproveWriteOff(new ApproveWriteOff(writeOffId), meta), check.Reason(body.Reason), "write-off approved"));

    private static Task<IResult> RejectWriteOff(string customerId, string writeOffId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains) =>
        Execute<ReasonRequest>(http, customerId, user, grains, (body, check, _) =>
            new Plan((account, meta) => account.RejectWriteOff(new RejectWriteOff(writeOffId), meta), check.Reason(body.Reason), "write-off rejected"));

    // --- unallocated cash ------------------------------------------------------------------------------------------

    private static async Task<IResult> ReceiveUnidentifiedCash(HttpRequest http, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (body, problem) = await LedgerHttp.ReadBodyAsync<PaymentRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        var check = new RequestValidator();
        if (PaymentOf(body!, check, defaultCurrency: null) is not { } payment)
        {
            return LedgerHttp.Invalid(check.Errors);
        }

        var result = await Queue(grains).Receive(new ReceiveUnidentifiedCash(payment), LedgerHttp.Meta(user, null, "unidentified cash received"));
        return Answer(result, $"/api/v1/unallocated-cash/{payment.PaymentId}");
    }

    private static async Task<IResult> ListUnallocatedCash(IGrainFactory grains)
    {
        var items = await Queue(grains).List();
        var totals = items.GroupBy(i => i.Payment.Amount.Currency, StringComparer.Ordinal)
            .ToImmutableSortedDictionary(g => g.Key, g => g.Sum(i => i.Payment.Amount.Amount), StringComparer.Ordinal);
        return TypedResults.Ok(new UnallocatedCashList(items, totals));
    }

    private static async Task<IResult> IdentifyCash(string paymentId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (body, problem) = await LedgerHttp.ReadBodyAsync<IdentifyCashRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        var check = new RequestValidator();
        var customerId = check.Id("customerId", body!.CustomerId);
        var reason = check.Reason(body.Reason);
        if (!check.IsValid)
        {
            return LedgerHttp.Invalid(check.Errors);
        }

        var (_, _, missing) = await VisibleAccount(customerId!, user, grains);
        if (missing is not null)
        {
            return LedgerHttp.Invalid("customerId", $"names no account you can see ('{customerId}').");
        }

        var result = await Queue(grains).Allocate(new IdentifyCash(paymentId, customerId!), LedgerHttp.Meta(user, reason, "unallocated cash identified"));
        return Answer(result, location: null);
    }

    private static async Task<IResult> ReverseUnidentifiedCash(string paymentId, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (body, problem) = await LedgerHttp.ReadBodyAsync<ReasonRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        var check = new RequestValidator();
        var reason = check.Reason(body!.Reason);
        if (!check.IsValid)
        {
            return LedgerHttp.Invalid(check.Errors);
        }

        var result = await Queue(grains).Reverse(new ReversePayment(paymentId), LedgerHttp.Meta(user, reason, "unallocated cash reversed"));
        return Answer(result, location: null);
    }

    // --- shared ----------------------------------------------------------------------------------------------------

    /// <summary>What an account-scoped command will do once its input is valid: the grain call, its reason, and where the created thing lives.</summary>
    private sealed record Plan(Func<IAccountGrain, CommandMeta, Task<CommandResult>> Send, string? Reason, string DefaultReason, string? Location = null);

    private static async Task<IResult> Execute<TBody>(
        HttpRequest http,
        string customerId,
        ClaimsPrincipal user,
        IGrainFactory grains,
        Func<TBody, RequestValidator, AccountProfile, Plan?> plan)
        where TBody : class
    {
        var (body, problem) = await LedgerHttp.ReadBodyAsync<TBody>(http);
        if (problem is not null)
        {
            return problem;
        }

        var (ifVersion, badIfMatch) = LedgerHttp.IfMatch(http);
        if (badIfMatch is not null)
        {
            return badIfMatch;
        }

        var (account, profile, missing) = await VisibleAccount(customerId, user, grains);
        if (missing is not null)
        {
            return missing;
        }

        var check = new RequestValidator();
        if (plan(body!, check, profile!) is not { } planned || !check.IsValid)
        {
            return LedgerHttp.Invalid(check.Errors);
        }

        var result = await planned.Send(account!, LedgerHttp.Meta(user, planned.Reason, planned.DefaultReason) with { IfVersion = ifVersion });
        if (result.Accepted)
        {
            http.HttpContext.Response.Headers.ETag = LedgerHttp.ETagOf(result.Version);
        }

        return Answer(result, planned.Location);
    }

    private static IResult Answer(CommandResult result, string? location)
    {
        if (!result.Accepted)
        {
            return LedgerHttp.Refused(result.Error!);
        }

        var response = new CommandResponse(result.Unchanged, result.Events.IsDefault ? [] : result.Events, result.Summary);
        return location is not null && !result.Unchanged ? TypedResults.Created(location, response) : TypedResults.Ok(response);
    }

    /// <summary>The account grain and profile if the account exists and the caller may see it; otherwise a 404 (existence is not leaked).</summary>
    private static async Task<(IAccountGrain? Account, AccountProfile? Profile, IResult? Missing)> VisibleAccount(string customerId, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (!RequestValidator.IsId(customerId))
        {
            return (null, null, LedgerHttp.Invalid("customerId", "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."));
        }

        var account = grains.GetGrain<IAccountGrain>(customerId);
        var profile = await account.GetProfile();
        return profile is not null && LedgerHttp.CanSee(user, profile)
            ? (account, profile, null)
            : (null, null, LedgerHttp.NotFound("account", customerId));
    }

    private static Payment? PaymentOf(PaymentRequest body, RequestValidator check, string? defaultCurrency)
    {
        var id = check.Id("paymentId", body.PaymentId);
        var amount = check.PositiveMoney("amount", body.Amount, "currency", body.Currency ?? defaultCurrency);
        var valueDate = check.Required("valueDate", body.ValueDate);
        var method = check.Defined("method", check.Required("method", body.Method));
        var refs = ImmutableArray.CreateBuilder<string>();
        foreach (var (i, reference) in (body.RemittanceRefs ?? []).Index())
        {
            if (check.Text($"remittanceRefs[{i}]", reference, 140) is { } text)
            {
                refs.Add(text.Trim());
            }
        }

        return check.IsValid ? new Payment(id!, amount!, valueDate!.Value, method!.Value, refs.ToImmutable()) : null;
    }

    private static IUnallocatedCashGrain Queue(IGrainFactory grains) => grains.GetGrain<IUnallocatedCashGrain>(UnallocatedCashQueue);

    private static string AccountPath(string customerId) => "/api/v1/accounts/" + customerId;
}

using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using ArActors.Api.Ledger;
using ArActors.Grains;
using ArActors.Grains.Accounts;
using ArActors.Grains.Invoices;
using ArActors.Grains.Ledger;
using ArActors.Grains.Payments;

namespace ArActors.Api.Imports;

/// <summary>What an import file holds. <see cref="Ibm"/> is IBM's accounts-receivable sample exactly as published.</summary>
public enum ImportFormat
{
    Accounts,
    Invoices,
    Payments,
    Ibm,
}

/// <summary>One ledger command a row stands for.</summary>
internal sealed record ImportStep(string What, Func<IAccountGrain, CommandMeta, Task<CommandResult>> Send);

/// <summary>A row turned into the commands for one account, in order.</summary>
internal sealed record ImportRow(int Line, string CustomerId, ImmutableArray<ImportStep> Steps);

public sealed record ImportRowError(int Line, string Field, string Message);

internal sealed record ParsedImport(ImmutableArray<ImportRow> Rows, ImmutableArray<ImportRowError> Errors, int TotalRows);

/// <summary>
/// Turns files into ledger commands. CSV columns (header row required, names case-insensitive, dates YYYY-MM-DD):
/// accounts <c>customerId,name,country,timeZone,currency,termsKind,termsDays,creditLimit,segment,portfolio,assignedCollector</c>;
/// invoices <c>customerId,number,issueDate,dueDate,amount,currency</c>; payments
/// <c>customerId,paymentId,amount,currency,valueDate,method,remittanceRefs</c> (references separated by ';').
/// JSON: an array of the API's request objects (invoices and payments with a customerId). Rows are checked by the
/// same rules as the API; a bad row is reported with its line and field and the others still run.
/// </summary>
internal static class ImportFormats
{
    public static readonly ImmutableArray<string> IbmColumns =
        ["countryCode", "customerID", "PaperlessDate", "invoiceNumber", "InvoiceDate", "DueDate", "InvoiceAmount", "Disputed", "SettledDate", "PaperlessBill", "DaysToSettle", "DaysLate"];

    private static readonly Dictionary<ImportFormat, string[]> RequiredColumns = new()
    {
        [ImportFormat.Accounts] = ["customerId", "name", "country", "timeZone", "currency", "termsKind", "termsDays", "creditLimit", "segment", "portfolio"],
        [ImportFormat.Invoices] = ["customerId", "number", "issueDate", "amount"],
        [ImportFormat.Payments] = ["customerId", "paymentId", "amount", "valueDate", "method"],
        [ImportFormat.Ibm] = ["countryCode", "customerID", "invoiceNumber", "InvoiceDate", "DueDate", "InvoiceAmount", "SettledDate"],
    };

    /// <summary>Parses a CSV file; a missing column or broken quoting fails the whole file (null rows and the reason).</summary>
    public static (ParsedImport? Parsed, string? Problem) ParseCsv(ImportFormat format, TextReader reader)
    {
        List<(int Line, string[] Fields)> records;
        try
        {
            records = Csv.Read(reader).ToList();
        }
        catch (FormatException e)
        {
            return (null, e.Message);
        }

        if (records.Count == 0)
        {
            return (null, "The file is empty; it needs a header row.");
        }

        var header = records[0].Fields.Select((name, i) => (name: name.Trim(), i)).ToDictionary(c => c.name, c => c.i, StringComparer.OrdinalIgnoreCase);
        var missing = RequiredColumns[format].Where(c => !header.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            return (null, $"The header lacks column(s) {string.Join(", ", missing)} for format '{format.ToString().ToLowerInvariant()}'.");
        }

        var rows = ImmutableArray.CreateBuilder<ImportRow>();
        var errors = ImmutableArray.CreateBuilder<ImportRowError>();
        var openedIbmAccounts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (line, fields) in records.Skip(1))
        {
            string? Get(string column) =>
                header.TryGetValue(column, out var i) && i < fields.Length && !string.IsNullOrWhiteSpace(fields[i]) ? fields[i].Trim() : null;

            var check = new RequestValidator();
            var row = format switch
            {
                ImportFormat.Accounts => AccountRow(line, check, new AccountRequest(
                    Get("customerId"), Get("name"), Get("country"), Get("timeZone"), Get("currency"),
                    new TermsRequest(Get("termsKind"), Int(check, "termsDays", Get("termsDays"))),
                    Decimal(check, "creditLimit", Get("creditLimit")),
                    Enum<CustomerSegment>(check, "segment", Get("segment")),
                    Get("portfolio"), Get("assignedCollector"), null)),
                ImportFormat.Invoices => InvoiceRow(line, check, Get("customerId"), new InvoiceRequest(
                    Get("number"), Date(check, "issueDate", Get("issueDate"), "yyyy-MM-dd"), Date(check, "dueDate", Get("dueDate"), "yyyy-MM-dd"),
                    Decimal(check, "amount", Get("amount")), Get("currency"), null, null)),
                ImportFormat.Payments => PaymentRow(line, check, Get("customerId"), new PaymentRequest(
                    Get("paymentId"), Decimal(check, "amount", Get("amount")), Get("currency"), Date(check, "valueDate", Get("valueDate"), "yyyy-MM-dd"),
                    Enum<PaymentMethod>(check, "method", Get("method")),
                    Get("remittanceRefs")?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))),
                _ => IbmRow(line, check, Get, openedIbmAccounts),
            };
            if (row is not null && check.IsValid)
            {
                rows.Add(row);
            }
            else
            {
                errors.AddRange(check.Errors.Select(e => new ImportRowError(line, e.Key, e.Value[0])));
            }
        }

        return (new ParsedImport(rows.ToImmutable(), errors.ToImmutable(), records.Count - 1), null);
    }

    /// <summary>Parses a JSON array of request objects; each element is checked on its own (its index is its line).</summary>
    public static (ParsedImport? Parsed, string? Problem) ParseJson(ImportFormat format, JsonElement document, JsonSerializerOptions options)
    {
        if (format == ImportFormat.Ibm)
        {
            return (null, "The ibm format is the published CSV file; send it as text/csv.");
        }

        if (document.ValueKind != JsonValueKind.Array)
        {
            return (null, "The body must be a JSON array of rows.");
        }

        var rows = ImmutableArray.CreateBuilder<ImportRow>();
        var errors = ImmutableArray.CreateBuilder<ImportRowError>();
        var index = 0;
        foreach (var element in document.EnumerateArray())
        {
            index++;
            var check = new RequestValidator();
            ImportRow? row = null;
            try
            {
                var customerId = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("customerId", out var id) && id.ValueKind == JsonValueKind.String
                    ? id.GetString()
                    : null;
                row = format switch
                {
                    ImportFormat.Accounts => AccountRow(index, check, element.Deserialize<AccountRequest>(options)!),
                    ImportFormat.Invoices => InvoiceRow(index, check, customerId, element.Deserialize<InvoiceRequest>(options)!),
                    _ => PaymentRow(index, check, customerId, element.Deserialize<PaymentRequest>(options)!),
                };
            }
            catch (JsonException e)
            {
                check.Add(string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "row" : e.Path.TrimStart('$', '.'), "could not be read.");
            }

            if (row is not null && check.IsValid)
            {
                rows.Add(row);
            }
            else
            {
                errors.AddRange(check.Errors.Select(e => new ImportRowError(index, e.Key, e.Value[0])));
            }
        }

        return (new ParsedImport(rows.ToImmutable(), errors.ToImmutable(), index), null);
    }

    private static ImportRow? AccountRow(int line, RequestValidator check, AccountRequest request) =>
        check.Profile(request, customerIdFromPath: null) is { } profile
            ? new ImportRow(line, profile.CustomerId, [new ImportStep("account " + profile.CustomerId, (a, m) => a.OpenAccount(new OpenAccount(profile), m))])
            : null;

    private static ImportRow? InvoiceRow(int line, RequestValidator check, string? customerIdValue, InvoiceRequest request)
    {
        var customerId = check.Id("customerId", customerIdValue);
        var number = check.Id("number", request.Number);
        var issued = check.Required("issueDate", request.IssueDate);
        var amount = check.PositiveMoney("amount", request.Amount, "currency", request.Currency ?? "USD");
        var terms = check.Terms("terms", request.Terms, required: false);
        if (!check.IsValid)
        {
            return null;
        }

        // Terms and currency default to the account's: the grain applies them when the row leaves them out.
        return new ImportRow(line, customerId!, [new ImportStep("invoice " + number, async (account, meta) =>
        {
            var profile = await account.GetProfile();
            if (profile is null)
            {
                return CommandResult.Refused(LedgerError.UnknownAccount(customerId));
            }

            var money = request.Currency is null ? new Money(amount!.Amount, profile.Currency) : amount!;
            return await account.IssueInvoice(new IssueInvoice(customerId!, number!, issued!.Value, money, terms ?? profile.Terms, request.DueDate, request.Refs), meta);
        })]);
    }

    private static ImportRow? PaymentRow(int line, RequestValidator check, string? customerIdValue, PaymentRequest request)
    {
        var customerId = check.Id("customerId", customerIdValue);
        var id = check.Id("paymentId", request.PaymentId);
        var amount = check.PositiveMoney("amount", request.Amount, "currency", request.Currency ?? "USD");
        var valueDate = check.Required("valueDate", request.ValueDate);
        var method = check.Defined("method", check.Required("method", request.Method));
        if (!check.IsValid)
        {
            return null;
        }

        return new ImportRow(line, customerId!, [new ImportStep("payment " + id, async (account, meta) =>
        {
            var profile = await account.GetProfile();
            if (profile is null)
            {
                return CommandResult.Refused(LedgerError.UnknownAccount(customerId));
            }

            var money = request.Currency is null ? new Money(amount!.Amount, profile.Currency) : amount!;
            var payment = new Payment(id!, money, valueDate!.Value, method!.Value, [.. request.RemittanceRefs ?? []]);
            return await account.ReceivePayment(new ReceivePayment(customerId!, payment), meta);
        })]);
    }

    /// <summary>
    /// One IBM row: the customer's account (opened with its first row: country code as given, UTC, USD, net 30,
    /// corporate, portfolio "imported"), the invoice on InvoiceDate with the file's DueDate, and its settlement as a
    /// bank transfer "settle-{invoiceNumber}" on SettledDate quoting the invoice. Disputed and paperless flags are not
    /// ledger facts and are not imported.
    /// </summary>
    private static ImportRow? IbmRow(int line, RequestValidator check, Func<string, string?> get, HashSet<string> opened)
    {
        var customerId = check.Id("customerID", get("customerID"));
        var number = check.Id("invoiceNumber", get("invoiceNumber"));
        var country = check.Text("countryCode", get("countryCode"), 8);
        var issued = Date(check, "InvoiceDate", get("InvoiceDate"), "M/d/yyyy");
        var due = Date(check, "DueDate", get("DueDate"), "M/d/yyyy");
        var settled = get("SettledDate") is null ? null : Date(check, "SettledDate", get("SettledDate"), "M/d/yyyy");
        var amount = check.PositiveMoney("InvoiceAmount", Decimal(check, "InvoiceAmount", get("InvoiceAmount")), "currency", "USD");
        if (issued is not null && due < issued)
        {
            check.Add("DueDate", "is before InvoiceDate.");
        }

        if (!check.IsValid)
        {
            return null;
        }

        var steps = ImmutableArray.CreateBuilder<ImportStep>();
        if (opened.Add(customerId!))
        {
            var profile = new AccountProfile(customerId!, customerId!, country!, "UTC", "USD", PaymentTerms.Net(30), 0m, CustomerSegment.Corporate, "imported", null, []);
            steps.Add(new ImportStep("account " + customerId, (a, m) => a.OpenAccount(new OpenAccount(profile), m)));
        }

        steps.Add(new ImportStep("invoice " + number, (a, m) => a.IssueInvoice(new IssueInvoice(customerId!, number!, issued!.Value, amount!, PaymentTerms.Net(30), due), m)));
        if (settled is { } valueDate)
        {
            var payment = new Payment("settle-" + number, amount!, valueDate, PaymentMethod.BankTransfer, [number!]);
            steps.Add(new ImportStep("payment " + payment.PaymentId, (a, m) => a.ReceivePayment(new ReceivePayment(customerId!, payment), m)));
        }

        return new ImportRow(line, customerId!, steps.ToImmutable());
    }

    private static DateOnly? Date(RequestValidator check, string field, string? value, string format)
    {
        if (value is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(value, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        check.Add(field, $"'{value}' is not a date as {format}.");
        return null;
    }

    private static decimal? Decimal(RequestValidator check, string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        check.Add(field, $"'{value}' is not a number (use '.' for decimals, no thousands separators).");
        return null;
    }

    private static int? Int(RequestValidator check, string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        check.Add(field, $"'{value}' is not a whole number.");
        return null;
    }

    private static T? Enum<T>(RequestValidator check, string field, string? value)
        where T : struct, Enum
    {
        if (value is null)
        {
            return null;
        }

        if (System.Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && System.Enum.IsDefined(parsed) && !char.IsDigit(value[0]))
        {
            return parsed;
        }

        check.Add(field, $"must be one of {string.Join(", ", System.Enum.GetNames<T>())}.");
        return null;
    }
}

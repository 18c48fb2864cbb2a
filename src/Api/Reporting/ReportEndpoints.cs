using System.Globalization;
using System.Security.Claims;
using ArActors.Api.Security;
using ArActors.Grains.Ledger;
using ArActors.Grains.Reporting;
using ArActors.Runtime.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ArActors.Api.Reporting;

/// <summary>How far the projection is behind the ledger: its cursor, the ledger's last sequence, and the difference.</summary>
public sealed record ProjectionLag(long Cursor, long LastSequence, long Lag);

public sealed record AgingReport(DateOnly AsOf, string By, string ReportingCurrency, IReadOnlyList<AgingRow> Rows, ProjectionLag Projection);

public sealed record DsoReport(string Month, string By, string ReportingCurrency, IReadOnlyList<DsoRow> Rows, ProjectionLag Projection);

public sealed record PeriodReport<TRow>(string Month, string By, string ReportingCurrency, IReadOnlyList<TRow> Rows, ProjectionLag Projection);

public sealed record UnallocatedReport(DateOnly AsOf, string By, string ReportingCurrency, IReadOnlyList<UnallocatedRow> Rows, ProjectionLag Projection);

public sealed record CeiReport(string Month, string By, string ReportingCurrency, IReadOnlyList<CeiRow> Rows, ProjectionLag Projection);

public sealed record CashForecastAnswer(string ReportingCurrency, CashForecastReport Report, ProjectionLag Projection);

public sealed record DelinquencyForecastAnswer(string ReportingCurrency, DelinquencyForecast? Report, string? Note, ProjectionLag Projection);

/// <summary>
/// <c>/api/v1/reports</c>: aging, DSO (simple, count-back, BPDSO, ADD), CEI and the two forecasts with their backtest
/// errors, from the reporting projection (never a ledger scan). JSON, or CSV with <c>?format=csv</c> or
/// <c>Accept: text/csv</c>. Managers and admins see every dimension; a team lead sees their portfolio's row
/// (<c>by=portfolio</c>), a collector their own (<c>by=collector</c>). Every answer carries the projection's lag.
/// </summary>
public static class ReportEndpoints
{
    public const string CsvMediaType = "text/csv";

    public static IHostApplicationBuilder AddArActorsReporting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReportingOptions>().Bind(builder.Configuration.GetSection(ReportingOptions.SectionName));
        builder.Services.AddSingleton<ReportingProjector>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReportingProjector>());
        return builder;
    }

    public static RouteGroupBuilder MapReportingApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1/reports").RequireAuthorization().RequireRateLimiting(SecurityExtensions.RateLimitPolicy).WithTags("Reports");
        api.MapGet("/aging", GetAging).WithName("GetAgingReport").Produces<AgingReport>().Produces<string>(200, CsvMediaType).ProducesValidationProblem()
            .WithSummary("Open AR by aging bucket as of any date (?asOf=YYYY-MM-DD), per portfolio, collector, segment, country or currency.");
        api.MapGet("/dso", GetDso).WithName("GetDsoReport").Produces<DsoReport>().Produces<string>(200, CsvMediaType).ProducesValidationProblem()
            .WithSummary("DSO (simple and count-back), best possible DSO, average days delinquent and average days late for a month (?month=YYYY-MM).");
        api.MapGet("/cei", GetCei).WithName("GetCeiReport").Produces<CeiReport>().Produces<string>(200, CsvMediaType).ProducesValidationProblem()
            .WithSummary("Collection effectiveness index for a month (?month=YYYY-MM).");
        api.MapGet("/forecast/cash", GetCashForecast).WithName("GetCashForecast").Produces<CashForecastAnswer>().Produces<string>(200, CsvMediaType).ProducesValidationProblem()
            .WithSummary("13-week cash forecast of open invoices from their due dates and each customer's days late, with its backtest error.");
        api.MapGet("/forecast/delinquency", GetDelinquencyForecast).WithName("GetDelinquencyForecast").Produces<DelinquencyForecastAnswer>().Produces<string>(200, CsvMediaType).ProducesValidationProblem()
            .WithSummary("Roll-rate forecast of past-due balances and write-offs by month (?months=1..24), with its backtest error (?fitMonths=).");
        api.MapGet("/payment-behaviour", GetPaymentBehaviour).WithName("GetPaymentBehaviourReport").Produces<PeriodReport<PaymentBehaviourRow>>().Produces<string>(200, CsvMediaType).ProducesValidationProblem()
            .WithSummary("Invoices settled by payment in a month (?month=YYYY-MM): average days late (on-time ones count 0) and % paid on time.");
        api.MapGet("/promises", GetPromises).WithName("GetPromiseReport").Produces<PeriodReport<PromiseRow>>().Produces<string>(200, CsvMediaType).ProducesValidationProblem()
            .WithSummary("Promises made, kept and broken in a month and the promise-kept rate (kept / (kept + broken)).");
        api.MapGet("/disputes", GetDisputes).WithName("GetDisputeReport").Produces<PeriodReport<DisputeRow>>().Produces<string>(200, CsvMediaType).ProducesValidationProblem()
            .WithSummary("Disputes by reason in a month: opened (count, amount), resolved, average cycle days.");
        api.MapGet("/cash-vs-target", GetCashVersusTarget).WithName("GetCashVersusTargetReport").Produces<PeriodReport<CashTargetRow>>().Produces<string>(200, CsvMediaType).ProducesValidationProblem()
            .WithSummary("Cash applied by payment in a month against the portfolio targets (ArActors:Reporting:CashTargets).");
        api.MapGet("/unallocated-cash", GetUnallocatedCash).WithName("GetUnallocatedCashReport").Produces<UnallocatedReport>().Produces<string>(200, CsvMediaType).ProducesValidationProblem()
            .WithSummary("Unallocated cash as of any date (?asOf=YYYY-MM-DD) by days since receipt: 0-7, 8-30, 31-60, 61+.");
        api.MapGet("/collector-performance", GetCollectorPerformance).WithName("GetCollectorPerformanceReport").Produces<PeriodReport<CollectorPerformanceRow>>().Produces<string>(200, CsvMediaType).ProducesValidationProblem()
            .WithSummary("Accounts worked, contacts, right-party contacts, promises and cash collected in a month (default by=collector).");
        return api;
    }

    private static async Task<IResult> GetAging(HttpContext http, ReportingProjector projector, IDurableStore store, TimeProvider time, IOptions<ReportingOptions> options)
    {
        var query = new ReportQuery(http, time);
        var asOf = query.Date("asOf");
        var by = query.By();
        if (query.Problem(http.User, by) is { } problem)
        {
            return problem;
        }

        return await FromProjection(http, projector, store, (state, lag) =>
        {
            // The engine's configured buckets (ArActors:Aging), so the report and the account views bucket alike.
            var buckets = http.RequestServices.GetService<ArActors.Grains.Aging.AgingPolicy>() is { } policy ? AgingFigures.BucketsOf(policy) : AgingFigures.DefaultBuckets;
            var rows = Scope(http.User, ReportFigures.Aging(state, by!, asOf!.Value, options.Value.ExchangeRates(), buckets), r => r.Group);
            return query.WantsCsv
                ? Csv(
                    ["group", .. buckets.Select(b => b.Label), "total", "pastDue", "pastDuePercent"],
                    rows.Select(r => (IReadOnlyList<object?>)[r.Group, .. r.Buckets.Select(b => (object?)b.Amount), r.Total, r.PastDue, r.PastDuePercent]))
                : TypedResults.Ok(new AgingReport(asOf!.Value, by!, options.Value.ReportingCurrency, rows, lag));
        });
    }

    private static async Task<IResult> GetDso(HttpContext http, ReportingProjector projector, IDurableStore store, TimeProvider time, IOptions<ReportingOptions> options)
    {
        var query = new ReportQuery(http, time);
        var month = query.Month();
        var by = query.By();
        if (query.Problem(http.User, by) is { } problem)
        {
            return problem;
        }

        return await FromProjection(http, projector, store, (state, lag) =>
        {
            var rows = Scope(http.User, ReportFigures.Dso(state, by!, month!, options.Value.ExchangeRates()), r => r.Group);
            return query.WantsCsv
                ? Csv(
                    ["group", "month", "creditSales", "endingAr", "currentAr", "dso", "countBackDso", "bestPossibleDso", "averageDaysDelinquent", "settledInvoices", "averageDaysLate"],
                    rows.Select(r => (IReadOnlyList<object?>)[r.Group, MonthText(month!), r.CreditSales, r.EndingAr, r.CurrentAr, r.Dso, r.CountBackDso, r.BestPossibleDso, r.AverageDaysDelinquent, r.SettledInvoices, r.AverageDaysLate]))
                : TypedResults.Ok(new DsoReport(MonthText(month!), by!, options.Value.ReportingCurrency, rows, lag));
        });
    }

    private static Task<IResult> GetPaymentBehaviour(HttpContext http, ReportingProjector projector, IDurableStore store, TimeProvider time, IOptions<ReportingOptions> options) =>
        PeriodRows(http, projector, store, time, options, (state, by, month) => CollectionsFigures.PaymentBehaviour(state, by, month),
            ["group", "month", "settledInvoices", "averageDaysLate", "paidOnTime", "paidOnTimePercent"],
            (r, month) => [r.Group, month, r.SettledInvoices, r.AverageDaysLate, r.PaidOnTime, r.PaidOnTimePercent], r => r.Group);

    private static Task<IResult> GetPromises(HttpContext http, ReportingProjector projector, IDurableStore store, TimeProvider time, IOptions<ReportingOptions> options) =>
        PeriodRows(http, projector, store, time, options, (state, by, month) => CollectionsFigures.Promises(state, by, month),
            ["group", "month", "made", "kept", "broken", "promiseKeptRate"],
            (r, month) => [r.Group, month, r.Made, r.Kept, r.Broken, r.PromiseKeptRate], r => r.Group);

    private static Task<IResult> GetDisputes(HttpContext http, ReportingProjector projector, IDurableStore store, TimeProvider time, IOptions<ReportingOptions> options) =>
        PeriodRows(http, projector, store, time, options, (state, by, month) => CollectionsFigures.Disputes(state, by, month, options.Value.ExchangeRates()),
            ["group", "month", "reason", "opened", "openedAmount", "resolved", "averageCycleDays"],
            (r, month) => [r.Group, month, r.Reason, r.Opened, r.OpenedAmount, r.Resolved, r.AverageCycleDays], r => r.Group);

    private static Task<IResult> GetCashVersusTarget(HttpContext http, ReportingProjector projector, IDurableStore store, TimeProvider time, IOptions<ReportingOptions> options) =>
        PeriodRows(http, projector, store, time, options, (state, by, month) => CollectionsFigures.CashAgainstTarget(state, by, month, options.Value.ExchangeRates(), options.Value.CashTargets),
            ["group", "month", "collected", "target", "variance", "percentOfTarget"],
            (r, month) => [r.Group, month, r.Collected, r.Target, r.Variance, r.PercentOfTarget], r => r.Group);

    private static Task<IResult> GetCollectorPerformance(HttpContext http, ReportingProjector projector, IDurableStore store, TimeProvider time, IOptions<ReportingOptions> options) =>
        PeriodRows(http, projector, store, time, options, (state, by, month) => CollectionsFigures.CollectorPerformance(state, by, month, options.Value.ExchangeRates()),
            ["group", "month", "accountsWorked", "contacts", "rightPartyContacts", "promises", "cashCollected"],
            (r, month) => [r.Group, month, r.AccountsWorked, r.Contacts, r.RightPartyContacts, r.Promises, r.CashCollected], r => r.Group,
            defaultBy: ReportDimension.Collector);

    private static async Task<IResult> GetUnallocatedCash(HttpContext http, ReportingProjector projector, IDurableStore store, TimeProvider time, IOptions<ReportingOptions> options)
    {
        var query = new ReportQuery(http, time);
        var asOf = query.Date("asOf");
        var by = query.By();
        if (query.Problem(http.User, by) is { } problem)
        {
            return problem;
        }

        return await FromProjection(http, projector, store, (state, lag) =>
        {
            var buckets = CollectionsActivity.DefaultUnallocatedBuckets;
            var rows = Scope(http.User, CollectionsFigures.UnallocatedByAge(state, by!, asOf!.Value, options.Value.ExchangeRates(), buckets), r => r.Group);
            return query.WantsCsv
                ? Csv(
                    ["group", .. buckets.Select(b => b.Label), "total"],
                    rows.Select(r => (IReadOnlyList<object?>)[r.Group, .. r.Buckets.Select(b => (object?)b.Amount), r.Total]))
                : TypedResults.Ok(new UnallocatedReport(asOf!.Value, by!, options.Value.ReportingCurrency, rows, lag));
        });
    }

    /// <summary>A month's figures per group, JSON or CSV, scoped to the caller like the other reports.</summary>
    private static async Task<IResult> PeriodRows<TRow>(
        HttpContext http, ReportingProjector projector, IDurableStore store, TimeProvider time, IOptions<ReportingOptions> options,
        Func<ReportingState, string, ReportingPeriod, IReadOnlyList<TRow>> figures, IReadOnlyList<string> header,
        Func<TRow, string, IReadOnlyList<object?>> csvRow, Func<TRow, string> group, string? defaultBy = null)
    {
        var query = new ReportQuery(http, time);
        var month = query.Month();
        var by = query.By(defaultBy);
        if (query.Problem(http.User, by) is { } problem)
        {
            return problem;
        }

        return await FromProjection(http, projector, store, (state, lag) =>
        {
            var rows = Scope(http.User, figures(state, by!, month!), group);
            return query.WantsCsv
                ? Csv(header, rows.Select(r => csvRow(r, MonthText(month!))))
                : TypedResults.Ok(new PeriodReport<TRow>(MonthText(month!), by!, options.Value.ReportingCurrency, rows, lag));
        });
    }

    private static async Task<IResult> GetCei(HttpContext http, ReportingProjector projector, IDurableStore store, TimeProvider time, IOptions<ReportingOptions> options)
    {
        var query = new ReportQuery(http, time);
        var month = query.Month();
        var by = query.By();
        if (query.Problem(http.User, by) is { } problem)
        {
            return problem;
        }

        return await FromProjection(http, projector, store, (state, lag) =>
        {
            var rows = Scope(http.User, ReportFigures.Cei(state, by!, month!, options.Value.ExchangeRates()), r => r.Group);
            return query.WantsCsv
                ? Csv(
                    ["group", "month", "beginningAr", "creditSales", "endingAr", "endingCurrentAr", "cei"],
                    rows.Select(r => (IReadOnlyList<object?>)[r.Group, MonthText(month!), r.BeginningAr, r.CreditSales, r.EndingAr, r.EndingCurrentAr, r.Cei]))
                : TypedResults.Ok(new CeiReport(MonthText(month!), by!, options.Value.ReportingCurrency, rows, lag));
        });
    }

    private static async Task<IResult> GetCashForecast(HttpContext http, ReportingProjector projector, IDurableStore store, TimeProvider time, IOptions<ReportingOptions> options)
    {
        var query = new ReportQuery(http, time);
        var asOf = query.Date("asOf");
        if (query.Problem(http.User, by: null, managersOnly: true) is { } problem)
        {
            return problem;
        }

        return await FromProjection(http, projector, store, (state, lag) =>
        {
            var report = ReportFigures.CashForecast(state, asOf!.Value, options.Value.ExchangeRates());
            if (!query.WantsCsv)
            {
                return TypedResults.Ok(new CashForecastAnswer(options.Value.ReportingCurrency, report, lag));
            }

            BacktestHeader(http, report.Backtest is { } b ? $"forecasts={b.Forecasts}; weeklyMae={Text(b.WeeklyMeanAbsoluteError)}; wape={Text(b.WeightedAbsolutePercentError)}" : null);
            return Csv(
                ["week", "start", "end", "expected"],
                report.Forecast.Weeks.Select(w => (IReadOnlyList<object?>)[w.Week.ToString(CultureInfo.InvariantCulture), w.Start, w.End, w.Expected])
                    .Append(["beyond", null, null, report.Forecast.Beyond]));
        });
    }

    private static async Task<IResult> GetDelinquencyForecast(HttpContext http, ReportingProjector projector, IDurableStore store, TimeProvider time, IOptions<ReportingOptions> options)
    {
        var query = new ReportQuery(http, time);
        var asOf = query.Date("asOf");
        var months = query.Int("months", 3, 1, 24);
        var fitMonths = query.Int("fitMonths", 12, 2, 600);
        if (query.Problem(http.User, by: null, managersOnly: true) is { } problem)
        {
            return problem;
        }

        return await FromProjection(http, projector, store, (state, lag) =>
        {
            var report = ReportFigures.Delinquency(state, asOf!.Value, months, fitMonths, options.Value.ExchangeRates());
            var note = report is null ? "The roll-rate model needs at least two month-ends of history." : report.BacktestNote;
            if (!query.WantsCsv)
            {
                return TypedResults.Ok(new DelinquencyForecastAnswer(options.Value.ReportingCurrency, report, note, lag));
            }

            BacktestHeader(http, report?.Backtest is { } b ? $"fitMonths={b.FitMonths}; testMonths={b.TestMonths}; mae={Text(b.MeanAbsoluteError)}; mape={Text(b.MeanAbsolutePercentError)}" : null);
            return Csv(
                ["monthsAhead", .. AgingFigures.DefaultBuckets.Select(b => b.Label), "pastDue", "expectedWriteOff"],
                (report?.Months ?? []).Select(m => (IReadOnlyList<object?>)[m.MonthsAhead, .. m.Buckets.Select(b => (object?)Rounding.Money(b.Amount)), Rounding.Money(m.PastDue), Rounding.Money(m.ExpectedWriteOff)]));
        });
    }

    /// <summary>Answers from the projection's current state, with its lag in the body (via <paramref name="answer"/>) and headers.</summary>
    private static async Task<IResult> FromProjection(HttpContext http, ReportingProjector projector, IDurableStore store, Func<ReportingState, ProjectionLag, IResult> answer)
    {
        var state = projector.State;
        var lag = await LagAsync(state, store, http.RequestAborted);
        return await Answer(http, lag, () => answer(state, lag));
    }

    private static async Task<ProjectionLag> LagAsync(ReportingState state, IDurableStore store, CancellationToken cancellationToken)
    {
        var last = await store.GetLastSequenceAsync(LedgerTopics.Ledger, cancellationToken);
        return new ProjectionLag(state.Cursor, last, Math.Max(0, last - state.Cursor));
    }

    private static Task<IResult> Answer(HttpContext http, ProjectionLag lag, Func<IResult> answer)
    {
        http.Response.Headers["ArActors-Projection-Cursor"] = lag.Cursor.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers["ArActors-Projection-Lag"] = lag.Lag.ToString(CultureInfo.InvariantCulture);
        try
        {
            return Task.FromResult(answer());
        }
        catch (MissingExchangeRateException e)
        {
            return Task.FromResult<IResult>(TypedResults.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity, title: "Missing exchange rate", detail: e.Message + $" Add it under {ReportingOptions.SectionName}:Rates."));
        }
    }

    /// <summary>Team leads see only their portfolio's row and collectors only their own; managers and admins everything.</summary>
    private static IReadOnlyList<T> Scope<T>(ClaimsPrincipal user, IReadOnlyList<T> rows, Func<T, string> group) =>
        user.FindFirstValue(ClaimTypes.Role) switch
        {
            Roles.TeamLead => rows.Where(r => group(r) == user.FindFirstValue(ArActorsClaims.Team)).ToList(),
            Roles.Collector => rows.Where(r => group(r) == user.FindFirstValue(ClaimTypes.NameIdentifier)).ToList(),
            _ => rows,
        };

    private static ContentHttpResult Csv(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object?>> rows) =>
        TypedResults.Text(CsvExport.Write(header, rows), CsvMediaType + "; charset=utf-8");

    private static void BacktestHeader(HttpContext http, string? value) => http.Response.Headers["ArActors-Backtest"] = value ?? "none";

    private static string MonthText(ReportingPeriod month) => month.Start.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static string Text(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>Reads and checks a report's query string, collecting one error per bad field.</summary>
    private sealed class ReportQuery(HttpContext http, TimeProvider time)
    {
        private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);
        private readonly IQueryCollection _query = http.Request.Query;

        public bool WantsCsv { get; } = ReadFormat(http, out var error) && error is null;

        private string? FormatError { get; } = ReadFormatError(http);

        public DateOnly? Date(string name)
        {
            var text = Single(name);
            if (text is null)
            {
                return DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            }

            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return date;
            }

            _errors[name] = [$"must be a calendar date YYYY-MM-DD; got '{Shorten(text)}'."];
            return null;
        }

        public ReportingPeriod? Month()
        {
            var text = Single("month");
            if (text is null)
            {
                _errors["month"] = ["is required: a calendar month YYYY-MM."];
                return null;
            }

            if (DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first) && text.Length == 7)
            {
                return ReportingPeriod.MonthOf(first);
            }

            _errors["month"] = [$"must be a calendar month YYYY-MM; got '{Shorten(text)}'."];
            return null;
        }

        public string? By(string? fallback = null)
        {
            var role = http.User.FindFirstValue(ClaimTypes.Role);
            var text = Single("by") ?? role switch
            {
                Roles.TeamLead => ReportDimension.Portfolio,
                Roles.Collector => ReportDimension.Collector,
                _ => fallback ?? ReportDimension.All,
            };
            if (text == ReportDimension.All || ReportDimension.Requestable.Contains(text, StringComparer.Ordinal))
            {
                return text;
            }

            _errors["by"] = [$"must be one of {string.Join(", ", ReportDimension.Requestable)} (or {ReportDimension.All}); got '{Shorten(text)}'."];
            return null;
        }

        public int Int(string name, int fallback, int min, int max)
        {
            var text = Single(name);
            if (text is null)
            {
                return fallback;
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            _errors[name] = [$"must be a whole number from {min} to {max}; got '{Shorten(text)}'."];
            return fallback;
        }

        /// <summary>A 400 naming each bad field, or a 403 saying why the caller may not see this cut; null when fine.</summary>
        public IResult? Problem(ClaimsPrincipal user, string? by, bool managersOnly = false)
        {
            if (FormatError is { } formatError)
            {
                _errors["format"] = [formatError];
            }

            if (_errors.Count > 0)
            {
                return TypedResults.ValidationProblem(_errors, title: "The report request is not valid",
                    detail: string.Join(" ", _errors.Select(e => $"{e.Key} {e.Value[0]}")));
            }

            var role = user.FindFirstValue(ClaimTypes.Role);
            var refusal = role switch
            {
                Roles.Manager or Roles.Admin => null,
                Roles.TeamLead when !managersOnly && by is ReportDimension.Portfolio or ReportDimension.Team && user.FindFirstValue(ArActorsClaims.Team) is not null => null,
                Roles.Collector when !managersOnly && by == ReportDimension.Collector => null,
                Roles.TeamLead when !managersOnly => "A team lead sees reports of their own team only (by=team or by=portfolio).",
                Roles.Collector when !managersOnly => "A collector sees their own figures only (by=collector).",
                _ => $"Role '{role}' may not read this report; managers and admins may.",
            };
            return refusal is null ? null : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: refusal);
        }

        private string? Single(string name)
        {
            if (!_query.TryGetValue(name, out var values))
            {
                return null;
            }

            if (values.Count > 1)
            {
                _errors[name] = ["may be given once."];
                return null;
            }

            return values[0];
        }

        private static bool ReadFormat(HttpContext http, out string? error)
        {
            error = ReadFormatError(http);
            var format = http.Request.Query["format"].ToString();
            return format.Length > 0
                ? string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)
                : http.Request.Headers.Accept.Any(a => a?.Contains(CsvMediaType, StringComparison.OrdinalIgnoreCase) == true);
        }

        private static string? ReadFormatError(HttpContext http)
        {
            var format = http.Request.Query["format"].ToString();
            return format.Length == 0 || format is "csv" or "json" ? null : $"must be csv or json; got '{Shorten(format)}'.";
        }

        private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
    }
}

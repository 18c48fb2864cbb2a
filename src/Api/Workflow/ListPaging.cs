using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace ArActors.Api.Workflow;

/// <summary>
/// Keyset paging for the workflow lists (escalations, disputes), with the account list's conventions: <c>?limit=</c>
/// 1..500 (default 100) and an opaque <c>?cursor=</c> holding the order key of the last record of the previous page.
/// The order keys never change once a record exists, so paging while records are added returns every record that
/// existed throughout exactly once.
/// </summary>
public sealed class ListPaging
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    private ListPaging(string prefix, string? after, int limit)
    {
        Prefix = prefix;
        After = after;
        Limit = limit;
    }

    /// <summary>The order key of the last record already returned; null on the first page.</summary>
    public string? After { get; }

    public int Limit { get; }

    private string Prefix { get; }

    /// <summary>Reads <c>cursor</c> and <c>limit</c>; a bad one is a 400 problem naming the field.</summary>
    public static (ListPaging? Paging, IResult? Problem) Read(string prefix, string? cursor, string? limit)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string? after = null;
        if (cursor is not null)
        {
            after = Decode(prefix, cursor);
            if (after is null)
            {
                errors["cursor"] = ["is not a cursor this list issued; pass the 'next' value of a previous page unchanged."];
            }
        }

        var n = DefaultLimit;
        if (limit is not null && !(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out n) && n >= 1 && n <= MaxLimit))
        {
            errors["limit"] = [$"must be a whole number from 1 to {MaxLimit}; got '{(limit.Length <= 40 ? limit : limit[..40] + "...")}'."];
        }

        return errors.Count > 0
            ? (null, TypedResults.ValidationProblem(errors, title: "The list request is not valid", detail: string.Join(" ", errors.Select(e => $"{e.Key} {e.Value[0]}"))))
            : (new ListPaging(prefix, after, n), null);
    }

    /// <summary>Joins the parts of an order key with NUL, which sorts before every other character, so the key orders like its parts.</summary>
    public static string Key(params string[] parts) => string.Join('\0', parts);

    /// <summary>One page of <paramref name="records"/> in ascending ordinal order of <paramref name="keyOf"/> and the next page's cursor, null on the last.</summary>
    public (IReadOnlyList<T> Page, string? Next) Apply<T>(IEnumerable<T> records, Func<T, string> keyOf)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(keyOf);
        var items = records.OrderBy(keyOf, StringComparer.Ordinal).Where(r => After is null || string.CompareOrdinal(keyOf(r), After) > 0).Take(Limit + 1).ToList();
        return items.Count > Limit ? (items[..Limit], Encode(Prefix, keyOf(items[Limit - 1]))) : (items, null);
    }

    private static string Encode(string prefix, string key) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(prefix + key));

    private static string? Decode(string prefix, string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            return text.StartsWith(prefix, StringComparison.Ordinal) && text.Length > prefix.Length ? text[prefix.Length..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ArActors.Silo.Tests.Faults;

/// <summary>One generated request: what is sent, and a short description for failure messages.</summary>
public sealed record MalformedRequest(HttpMethod Method, string Path, string? ContentType, byte[]? Body, bool Authenticated, string? IdempotencyKey, string What)
{
    public override string ToString() =>
        $"{Method} {(Path.Length > 160 ? Path[..160] + "..." : Path)} [{ContentType ?? "no content type"}] ({What}) body: " +
        (Body is null ? "none" : Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 200)));
}

/// <summary>
/// Generates malformed requests for every operation of the engine's OpenAPI document: bad route values, bad query
/// values, and request bodies built from the operation's schema with one thing broken (a missing field, a wrong type,
/// a huge value, a bad date or currency) or broken as a whole (truncated, not JSON, wrong media type, deeply nested).
/// Seeded, so a failure can be reproduced.
/// </summary>
public sealed class MalformedRequests(JsonDocument openApi, IReadOnlyDictionary<string, string> validRouteValues, int seed)
{
    private static readonly string[] BadRouteValues =
    [
        new string('A', 3000), "%00", "%FF%FE", "..", "%2E%2E%2F%2E%2E", "%2F", "%20", "'%3B DROP TABLE x%3B--", "%C3%BC%F0%9F%99%82",
        "-1", "99999999999999999999999999", "%7BcustomerId%7D", "a%0Ab", "null", "%25", "%E2%80%AE", "x%3Fy%3Dz",
    ];

    private static readonly string[] BadQueryValues =
    [
        "", "2026-13-45", "2026-02-30", "yesterday", "-1", "0", "99999999999999999999999999", "abc", new string('9', 5000),
        "1e308", "NaN", "%00", "2026-1", "9999-12", "0000-00", "' OR 1=1", "%FF", "true",
    ];

    private static readonly string[] ExtraQueryNames = ["asOf", "by", "month", "format", "from", "to", "top", "after", "limit", "topic"];

    private static readonly string[] BadDates = ["2026-02-30", "31/12/2026", "", "20260101", "9999-99-99", "0000-01-01", "2026-1-1", "tomorrow", "2026-12-01T10:00:00Z", "-2026-01-01"];

    private static readonly string[] BadCurrencies = ["EURO", "eu", "123", "", "ZZZ", "€", "usd ", "E U", new string('C', 1000)];

    private readonly Random _random = new(seed);
    private readonly JsonElement _schemas = openApi.RootElement.GetProperty("components").GetProperty("schemas");
    private readonly List<(string Method, string Template, JsonElement Operation)> _operations =
    [
        .. openApi.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (o.Name.ToUpperInvariant(), p.Name, o.Value))),
    ];

    public int OperationCount => _operations.Count;

    public MalformedRequest Next()
    {
        var (method, template, operation) = _operations[_random.Next(_operations.Count)];
        var what = new List<string>();
        var path = BuildPath(template, what);
        var query = BuildQuery(template, operation, what);
        var httpMethod = new HttpMethod(method);
        if (_random.Next(20) == 0)
        {
            httpMethod = new HttpMethod(Pick(["PATCH", "DELETE", "PUT", "POST", "GET"]));
            what.Add("method " + httpMethod);
        }

        string? contentType = null;
        byte[]? body = null;
        if (operation.TryGetProperty("requestBody", out var requestBody) || httpMethod != HttpMethod.Get && _random.Next(4) == 0)
        {
            var media = requestBody.ValueKind == JsonValueKind.Object
                ? requestBody.GetProperty("content").EnumerateObject().Select(c => (c.Name, (JsonElement?)c.Value.GetProperty("schema"))).First()
                : ("application/json", null);
            (contentType, body) = BuildBody(media.Item1, media.Item2, what);
        }

        var authenticated = _random.Next(40) != 0;
        if (!authenticated)
        {
            what.Add("anonymous");
        }

        string? idempotencyKey = null;
        if (httpMethod == HttpMethod.Post && _random.Next(8) == 0)
        {
            idempotencyKey = Pick(["", new string('k', 600), "key with spaces", "ok-" + _random.Next(), "$$$;;;"]);
            what.Add("idempotency key");
        }

        return new MalformedRequest(httpMethod, path + query, contentType, body, authenticated, idempotencyKey, string.Join(", ", what));
    }

    private string BuildPath(string template, List<string> what)
    {
        var builder = new StringBuilder();
        foreach (var segment in template.Split('/'))
        {
            if (builder.Length > 0 || segment.Length > 0)
            {
                builder.Append('/');
            }

            if (segment.StartsWith('{'))
            {
                var name = segment.Trim('{', '}');
                if (_random.Next(3) == 0)
                {
                    var bad = Pick(BadRouteValues);
                    what.Add($"route {name}={(bad.Length > 20 ? bad[..20] + "..." : bad)}");
                    builder.Append(bad);
                }
                else
                {
                    builder.Append(Uri.EscapeDataString(validRouteValues.GetValueOrDefault(name, "X-1")));
                }
            }
            else
            {
                builder.Append(segment);
            }
        }

        return builder.ToString();
    }

    private string BuildQuery(string template, JsonElement operation, List<string> what)
    {
        var names = operation.TryGetProperty("parameters", out var parameters)
            ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!).ToList()
            : [];
        if (template.Contains("/reports/", StringComparison.Ordinal) || _random.Next(10) == 0)
        {
            names.AddRange(ExtraQueryNames.Where(_ => _random.Next(3) == 0));
        }

        var pairs = names.Where(_ => _random.Next(3) != 0)
            .Select(n => $"{n}={(_random.Next(4) == 0 ? "2026-01" : Uri.EscapeDataString(Pick(BadQueryValues)))}").ToList();
        if (pairs.Count > 0)
        {
            what.Add("query");
        }

        return pairs.Count == 0 ? "" : "?" + string.Join('&', pairs);
    }

    private (string? ContentType, byte[]? Body) BuildBody(string media, JsonElement? schema, List<string> what)
    {
        var raw = new List<string>();
        var valid = schema is { } s ? Example(s, 0) : new JsonObject { ["x"] = 1 };
        var choice = _random.Next(100);
        string text;
        if (choice < 55 && valid is JsonObject or JsonArray)
        {
            Mutate(valid, raw, what);
            text = valid.ToJsonString();
        }
        else if (choice < 65)
        {
            text = valid?.ToJsonString() ?? "null";
            var cut = _random.Next(Math.Max(1, text.Length - 1));
            what.Add($"truncated at {cut}");
            text = text[..cut];
        }
        else if (choice < 75)
        {
            what.Add("whole body");
            text = Pick(["", "null", "[]", "\"text\"", "42", "{", "}", "{\"a\":}", "{'single':'quotes'}", "<xml/>", "{\"a\":1,\"a\":2}",
                new string('[', 2000) + new string(']', 2000), string.Concat(Enumerable.Repeat("{\"a\":", 1000)) + "1" + new string('}', 1000)]);
        }
        else if (choice < 85)
        {
            what.Add("wrong content type");
            var contentType = Pick(["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data", "application/octet-stream", "text/csv", "application/json; charset=latin1"]);
            return (contentType, Encoding.UTF8.GetBytes(valid?.ToJsonString() ?? "{}"));
        }
        else if (choice < 90)
        {
            what.Add("no content type");
            return (null, Encoding.UTF8.GetBytes(valid?.ToJsonString() ?? "{}"));
        }
        else if (choice < 95)
        {
            what.Add("invalid UTF-8");
            var bytes = Encoding.UTF8.GetBytes(valid?.ToJsonString() ?? "{}").ToList();
            bytes.InsertRange(Math.Min(bytes.Count, 2 + _random.Next(Math.Max(1, bytes.Count - 2))), [0xC3, 0x28, 0xFF]);
            return (media, [.. bytes]);
        }
        else
        {
            what.Add("1 MB body");
            text = "{\"pad\":\"" + new string('x', 1 << 20) + "\"}";
        }

        for (var i = 0; i < raw.Count; i++)
        {
            text = text.Replace($"\"__RAW{i}__\"", raw[i], StringComparison.Ordinal);
        }

        if (media == "text/csv")
        {
            text = _random.Next(2) == 0 ? text : Pick(["customerId,number\n\"unterminated", "a;b;c\n1;2;3", "", "customerId,number,issueDate,amount\nC,1,2026-02-30,abc"]);
        }

        return (media, Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Breaks one property somewhere in the body (depth first, a random one).</summary>
    private void Mutate(JsonNode node, List<string> raw, List<string> what)
    {
        var candidates = new List<(JsonNode Parent, string? Key, int Index, string Name)>();
        void Walk(JsonNode current)
        {
            if (current is JsonObject obj)
            {
                foreach (var (key, value) in obj.ToList())
                {
                    candidates.Add((obj, key, -1, key));
                    if (value is not null)
                    {
                        Walk(value);
                    }
                }
            }
            else if (current is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    candidates.Add((array, null, i, $"[{i}]"));
                    if (array[i] is { } item)
                    {
                        Walk(item);
                    }
                }
            }
        }

        Walk(node);
        if (candidates.Count == 0)
        {
            what.Add("empty object");
            return;
        }

        var (parent, key, index, name) = candidates[_random.Next(candidates.Count)];
        var lower = name.ToLowerInvariant();
        JsonNode? replacement;
        string kind;
        switch (_random.Next(9))
        {
            case 0 when key is not null:
                ((JsonObject)parent).Remove(key);
                what.Add($"missing {name}");
                return;
            case 1:
                (replacement, kind) = (Pick<JsonNode?>([JsonValue.Create(12345), JsonValue.Create("text"), JsonValue.Create(true), new JsonArray(1, 2), new JsonObject { ["nested"] = 1 }]), "wrong type");
                break;
            case 2:
                raw.Add(Pick(["1e400", new string('9', 400), "-" + new string('9', 400), "0.00000000000000000000000000000001", "1e-400"]));
                (replacement, kind) = (JsonValue.Create($"__RAW{raw.Count - 1}__"), "huge number");
                break;
            case 3:
                (replacement, kind) = (JsonValue.Create(new string('x', _random.Next(2) == 0 ? 5_000 : 200_000)), "huge string");
                break;
            case 4 when lower.Contains("date", StringComparison.Ordinal) || lower is "asof" or "on":
            case 5 when lower.Contains("date", StringComparison.Ordinal):
                (replacement, kind) = (JsonValue.Create(Pick(BadDates)), "bad date");
                break;
            case 6 when lower.Contains("currency", StringComparison.Ordinal):
            case 4 when lower.Contains("currency", StringComparison.Ordinal):
                (replacement, kind) = (JsonValue.Create(Pick(BadCurrencies)), "bad currency");
                break;
            case 7:
                (replacement, kind) = (Pick<JsonNode?>([JsonValue.Create(-1m), JsonValue.Create(0), JsonValue.Create(-99999999999m), JsonValue.Create(79228162514264337593543950335m), JsonValue.Create(1.5)]), "negative/zero/edge");
                break;
            case 8:
                (replacement, kind) = (new JsonArray([.. Enumerable.Range(0, 20_000).Select(i => (JsonNode?)JsonValue.Create("v" + i))]), "huge array");
                break;
            default:
                (replacement, kind) = (null, "null");
                break;
        }

        what.Add($"{kind} at {name}");
        if (key is not null)
        {
            ((JsonObject)parent)[key] = replacement;
        }
        else
        {
            ((JsonArray)parent)[index] = replacement;
        }
    }

    /// <summary>A plausible value for a schema: the shape the endpoint expects, before one thing in it is broken.</summary>
    private JsonNode? Example(JsonElement schema, int depth)
    {
        if (depth > 6)
        {
            return null;
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            return Example(_schemas.GetProperty(reference.GetString()!.Split('/')[^1]), depth + 1);
        }

        if (schema.TryGetProperty("oneOf", out var oneOf) || schema.TryGetProperty("anyOf", out oneOf))
        {
            var options = oneOf.EnumerateArray().Where(o => !(o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null")).ToList();
            return options.Count == 0 ? null : Example(options[_random.Next(options.Count)], depth + 1);
        }

        if (schema.TryGetProperty("enum", out var values))
        {
            var all = values.EnumerateArray().ToList();
            return all.Count == 0 ? null : JsonNode.Parse(all[_random.Next(all.Count)].GetRawText());
        }

        var types = schema.TryGetProperty("type", out var type)
            ? type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!]
            : schema.TryGetProperty("properties", out _) ? ["object"] : [];
        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        if (types.Contains("object") || schema.TryGetProperty("properties", out _))
        {
            var result = new JsonObject();
            if (schema.TryGetProperty("properties", out var properties))
            {
                foreach (var property in properties.EnumerateObject())
                {
                    result[property.Name] = property.Name.Contains("currency", StringComparison.OrdinalIgnoreCase) ? "EUR" : Example(property.Value, depth + 1);
                }
            }

            return result;
        }

        if (types.Contains("array"))
        {
            return schema.TryGetProperty("items", out var items) ? new JsonArray(Example(items, depth + 1)) : new JsonArray();
        }

        if (types.Contains("integer"))
        {
            return JsonValue.Create(_random.Next(1, 60));
        }

        if (types.Contains("number"))
        {
            return JsonValue.Create(Math.Round((decimal)_random.NextDouble() * 500m, 2));
        }

        if (types.Contains("boolean"))
        {
            return JsonValue.Create(_random.Next(2) == 0);
        }

        if (types.Contains("string"))
        {
            return format switch
            {
                "date" => JsonValue.Create(new DateOnly(2026, 11, 1).AddDays(_random.Next(30)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                "date-time" => JsonValue.Create("2026-11-01T10:00:00Z"),
                _ => JsonValue.Create("MAL-" + _random.Next(1000)),
            };
        }

        return null;
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];
}

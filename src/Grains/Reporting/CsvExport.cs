using System.Globalization;
using System.Text;

namespace ArActors.Grains.Reporting;

/// <summary>RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote, CR or LF; invariant culture.</summary>
public static class CsvExport
{
    public static string Write(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object?>> rows)
    {
        var builder = new StringBuilder();
        AppendRow(builder, header);
        foreach (var row in rows)
        {
            if (row.Count != header.Count)
            {
                throw new ArgumentException($"A row has {row.Count} fields; the header has {header.Count}.", nameof(rows));
            }

            AppendRow(builder, row);
        }

        return builder.ToString();
    }

    public static string Format(object? value) => value switch
    {
        null => string.Empty,
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        decimal number => number.ToString(CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    public static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    private static void AppendRow<T>(StringBuilder builder, IReadOnlyList<T> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            builder.Append(Quote(Format(fields[i])));
        }

        builder.Append("\r\n");
    }
}

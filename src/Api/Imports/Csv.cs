using System.Text;

namespace ArActors.Api.Imports;

/// <summary>RFC 4180 CSV: comma-separated, double-quoted fields may hold commas, quotes ("") and line breaks.</summary>
public static class Csv
{
    /// <summary>Records with the 1-based line each starts on; blank lines are skipped. Throws FormatException on an unterminated quote.</summary>
    public static IEnumerable<(int Line, string[] Fields)> Read(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var quoted = false;
        var any = false;
        int c;
        while ((c = reader.Read()) != -1)
        {
            var ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (ch == '\n')
                    {
                        line++;
                    }

                    field.Append(ch);
                }

                continue;
            }

            switch (ch)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    any = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    any = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    if (any || field.Length > 0)
                    {
                        fields.Add(field.ToString());
                        yield return (recordLine, fields.ToArray());
                    }

                    fields.Clear();
                    field.Clear();
                    any = false;
                    line++;
                    recordLine = line;
                    break;
                default:
                    field.Append(ch);
                    any = true;
                    break;
            }
        }

        if (quoted)
        {
            throw new FormatException($"A quoted field opened on line {recordLine} is never closed.");
        }

        if (any || field.Length > 0)
        {
            fields.Add(field.ToString());
            yield return (recordLine, fields.ToArray());
        }
    }
}

namespace ArActors.TestKit;

/// <summary>Finds the read-only data sets in ../shared/data beside the repository; never copied into it.</summary>
public static class SharedData
{
    public const string IbmReceivablesFile = "ibm-accounts-receivable.csv";

    public static string PathOf(string fileName)
    {
        var overridden = Environment.GetEnvironmentVariable("ARACTORS_SHARED_DATA");
        var candidates = new List<string>();
        if (!string.IsNullOrEmpty(overridden))
        {
            candidates.Add(overridden);
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            candidates.Add(Path.Combine(directory.FullName, "shared", "data"));
        }

        foreach (var folder in candidates)
        {
            var path = Path.Combine(folder, fileName);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException(
            $"Shared data file '{fileName}' was not found. It lives in ../shared/data beside the repository " +
            "(or set ARACTORS_SHARED_DATA to its folder); it is read from there, never copied in.", fileName);
    }
}

namespace Sparkify.Testing;

/// <summary>The real Udacity sample, read where the project keeps it: ../shared/data/sparkify-sample beside the repository.</summary>
public static class SampleData
{
    public static string Folder { get; } = Locate();

    private static string Locate()
    {
        var configured = Environment.GetEnvironmentVariable("SPARKIFY_SAMPLE_DATA");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "data", "sparkify-sample");
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(directory.FullName, "shared", "data", "README.md")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException(
            "The sample data (shared/data/sparkify-sample beside the repository) was not found; set SPARKIFY_SAMPLE_DATA.");
    }
}

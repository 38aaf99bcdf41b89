namespace Sparkify.Testing;

public static class RepositoryRoot
{
    /// <summary>The folder holding Sparkify.sln, found upwards from the test binaries.</summary>
    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Sparkify.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException("Sparkify.sln was not found above " + AppContext.BaseDirectory);
    }
}

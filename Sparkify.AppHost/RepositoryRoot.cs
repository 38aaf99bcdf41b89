namespace Sparkify.AppHost;

internal static class RepositoryRoot
{
    /// <summary>The folder holding Sparkify.sln (scripts/ and tools/ are beside it), found upwards from the AppHost.</summary>
    public static string Find(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Sparkify.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException("Sparkify.sln was not found above " + start);
    }
}

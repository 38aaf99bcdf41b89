using Sparkify.Pipeline;
using Sparkify.Testing;
using Sparkify.DevTools;

namespace Sparkify.Deploy.Tests.Rehearsal;

/// <summary>
/// Once for the rehearsal: the podman setup, a registry on loopback, the base image made on this machine (cached
/// after the first time), the three product images built by the SDK with scripts/publish-images.sh and pushed there,
/// the CDK app synthesized with that image tag (and short queue timeouts, so that faults heal in seconds), and a
/// PostgreSQL server and S3/SQS endpoint for the deployments to run against. The server asks for passwords and serves
/// TLS with a certificate from a CA made here, which the images carry as their database CA bundle (instead of the RDS
/// one): the tasks connect with the stack's own SSL Mode=VerifyFull.
/// </summary>
public sealed class RehearsalFixture : IAsyncLifetime
{
    private readonly string _tag = "rehearsal-" + Guid.NewGuid().ToString("N")[..8];
    private LocalRegistry? _registry;
    private readonly TestCertificates _certificates = new("Sparkify rehearsal CA");

    public const string AdminPassword = "rehearsal-admin-password";

    public string RepositoryRoot { get; } = LocalTools.FindRepositoryRoot(AppContext.BaseDirectory);
    public Dictionary<string, string> Podman { get; } = [];
    public string Registry => _registry!.Address;
    public SynthesizedApp App { get; private set; } = null!;
    public PostgresServer Postgres { get; private set; } = null!;
    public FauxqsServer Fauxqs { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var scripts = Path.Combine(RepositoryRoot, "scripts");
        Podman["CONTAINERS_CONF"] = await Tool.RunCheckedAsync(Path.Combine(scripts, "ensure-container-tools.sh"), [], timeout: TimeSpan.FromMinutes(5));
        _registry = await LocalRegistry.StartAsync();
        var baseImage = await Tool.RunCheckedAsync(Path.Combine(scripts, "local-base-image.sh"), [Registry], Podman, TimeSpan.FromMinutes(5));
        await Tool.RunCheckedAsync(Path.Combine(scripts, "publish-images.sh"), [Registry, _tag],
            new Dictionary<string, string>(Podman) { ["SPARKIFY_BASE_IMAGE"] = baseImage, ["SPARKIFY_DATABASE_CA_BUNDLE"] = _certificates.AuthorityFile },
            TimeSpan.FromMinutes(8));
        App = new SynthesizedApp(new Dictionary<string, object>
        {
            ["imageTag"] = _tag,
            ["visibilityTimeoutSeconds"] = "10",
            ["starLoadTakeoverSeconds"] = "20",
            ["starLoadDeadlineSeconds"] = "15",
            ["starLoadTimeoutSeconds"] = "15",
        });
        Postgres = await PostgresServer.StartAsync(new PostgresServerOptions
        {
            AdminPassword = AdminPassword, Tls = _certificates.IssueServer("postgres", "127.0.0.1"),
        });
        Fauxqs = await FauxqsServer.StartAsync();
    }

    internal TaskContainer Task(string prefix) => TaskContainer.Read(App.Container(prefix));

    public async Task DisposeAsync()
    {
        foreach (var repository in WorkerImages.All)
        {
            await Tool.RunAsync("podman", ["rmi", "-f", $"{Registry}/{repository}:{_tag}"], Podman);
        }
        await Fauxqs.DisposeAsync();
        await Postgres.DisposeAsync();
        App.Dispose();
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }
        _certificates.Dispose();
    }
}

using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.RDS;
using Amazon.CDK.AWS.SecretsManager;
using Constructs;

namespace Sparkify.Deploy;

/// <summary>
/// The warehouse: PostgreSQL on RDS (generated credentials in Secrets Manager, encrypted storage, private, backups
/// kept), or an existing database named by its connection secret and host. Tasks get the host, port and database
/// in the connection string and the username and password only as ECS secrets (PGUSER / PGPASSWORD, which Npgsql reads).
/// </summary>
internal sealed class WarehouseDatabase : Construct
{
    public WarehouseDatabase(Construct scope, string id, DeploySettings settings, SparkifyNetwork network) : base(scope, id)
    {
        DatabaseName = settings.DatabaseName;
        if (settings.UsesExistingDatabase)
        {
            Secret = settings.DatabaseSecret!.StartsWith("arn:", StringComparison.Ordinal)
                ? Amazon.CDK.AWS.SecretsManager.Secret.FromSecretCompleteArn(this, "Secret", settings.DatabaseSecret)
                : Amazon.CDK.AWS.SecretsManager.Secret.FromSecretNameV2(this, "Secret", settings.DatabaseSecret);
            Host = settings.DatabaseHost!;
            Port = settings.DatabasePort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return;
        }

        var securityGroup = new SecurityGroup(this, "SecurityGroup", new SecurityGroupProps
        {
            Vpc = network.Vpc, Description = "Sparkify warehouse database", AllowAllOutbound = false,
        });
        securityGroup.AddIngressRule(network.Tasks, Amazon.CDK.AWS.EC2.Port.Tcp(5432), "Sparkify tasks");
        Instance = new DatabaseInstance(this, "Instance", new DatabaseInstanceProps
        {
            Engine = DatabaseInstanceEngine.Postgres(new PostgresInstanceEngineProps { Version = PostgresEngineVersion.VER_16_4 }),
            InstanceType = new Amazon.CDK.AWS.EC2.InstanceType(settings.DatabaseInstanceType),
            Vpc = network.Vpc,
            VpcSubnets = network.Data,
            SecurityGroups = [securityGroup],
            Credentials = Credentials.FromGeneratedSecret("sparkify"),
            DatabaseName = settings.DatabaseName,
            AllocatedStorage = settings.DatabaseStorageGb,
            MaxAllocatedStorage = settings.DatabaseStorageGb * 5,
            StorageEncrypted = true,
            PubliclyAccessible = false,
            MultiAz = settings.DatabaseMultiAz,
            BackupRetention = Duration.Days(settings.BackupRetentionDays),
            DeletionProtection = settings.DeletionProtection,
            RemovalPolicy = RemovalPolicy.SNAPSHOT,
        });
        Secret = Instance.Secret!;
        Host = Instance.DbInstanceEndpointAddress;
        Port = Instance.DbInstanceEndpointPort;
    }

    public DatabaseInstance? Instance { get; }

    /// <summary>A JSON secret with at least <c>username</c> and <c>password</c>.</summary>
    public ISecret Secret { get; }

    public string Host { get; }
    public string Port { get; }
    public string DatabaseName { get; }

    /// <summary>What the tasks get in <c>ConnectionStrings__warehouse</c>: no credentials (those are secrets).</summary>
    public string ConnectionString => $"Host={Host};Port={Port};Database={DatabaseName};SSL Mode=Require";
}

using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.RDS;
using Amazon.CDK.AWS.SecretsManager;
using Constructs;
using Sparkify.Warehouse.Schema;

namespace Sparkify.Deploy;

/// <summary>
/// The warehouse: PostgreSQL on RDS (TLS forced by its own parameter group, gp3, encrypted, private, backups kept), or
/// an existing database named by its connection secret and host. Two logins: the master (or the existing secret's)
/// user runs migrations only; the workers log in as <see cref="WorkerRole.Name"/>, whose password is a secret of its
/// own, created here and rotated every <see cref="DeploySettings.SecretRotationDays"/> days, which the workers read
/// again whenever they open a connection. Tasks get the host, port and database in the connection string, and verify
/// the server's certificate against the CA bundle in their image.
/// </summary>
internal sealed class WarehouseDatabase : Construct
{
    /// <summary>Characters the generated passwords leave out: none that a connection string or a shell would mangle.</summary>
    private const string ExcludedCharacters = " %+~`#$&*()|[]{}:;<>?!'/@\"\\=,";

    public WarehouseDatabase(Construct scope, string id, DeploySettings settings, SparkifyNetwork network) : base(scope, id)
    {
        DatabaseName = settings.DatabaseName;
        if (settings.UsesExistingDatabase)
        {
            MasterSecret = settings.DatabaseSecret!.StartsWith("arn:", StringComparison.Ordinal)
                ? Amazon.CDK.AWS.SecretsManager.Secret.FromSecretCompleteArn(this, "Secret", settings.DatabaseSecret)
                : Amazon.CDK.AWS.SecretsManager.Secret.FromSecretNameV2(this, "Secret", settings.DatabaseSecret);
            Host = settings.DatabaseHost!;
            Port = settings.DatabasePort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // What the rotation function needs to log in as the worker and change its password.
            WorkerSecret = new Amazon.CDK.AWS.SecretsManager.Secret(this, "WorkerSecret", new SecretProps
            {
                Description = "Sparkify workers' database login (rotated)",
                GenerateSecretString = new SecretStringGenerator
                {
                    SecretStringTemplate = Stack.Of(this).ToJsonString(new Dictionary<string, object>
                    {
                        ["engine"] = "postgres", ["host"] = Host, ["port"] = settings.DatabasePort, ["dbname"] = DatabaseName,
                        ["username"] = WorkerRole.Name,
                    }),
                    GenerateStringKey = "password",
                    ExcludeCharacters = ExcludedCharacters,
                },
            });
            Rotate(WorkerSecret, "WorkerSecretRotation", settings, network);
            return;
        }

        var securityGroup = new SecurityGroup(this, "SecurityGroup", new SecurityGroupProps
        {
            Vpc = network.Vpc, Description = "Sparkify warehouse database", AllowAllOutbound = false,
        });
        // The only way in: the tasks' group, which the secret rotation functions share.
        securityGroup.AddIngressRule(network.Tasks, Amazon.CDK.AWS.EC2.Port.Tcp(5432), "Sparkify tasks and secret rotation");
        var engine = DatabaseInstanceEngine.Postgres(new PostgresInstanceEngineProps { Version = PostgresEngineVersion.VER_16_4 });
        var parameters = new ParameterGroup(this, "Parameters", new ParameterGroupProps
        {
            Engine = engine,
            Description = "Sparkify warehouse: TLS only",
            Parameters = new Dictionary<string, string> { ["rds.force_ssl"] = "1" },
        });
        Instance = new DatabaseInstance(this, "Instance", new DatabaseInstanceProps
        {
            Engine = engine,
            ParameterGroup = parameters,
            InstanceType = new Amazon.CDK.AWS.EC2.InstanceType(settings.DatabaseInstanceType),
            Vpc = network.Vpc,
            VpcSubnets = network.Data,
            SecurityGroups = [securityGroup],
            Credentials = Credentials.FromGeneratedSecret("sparkify", new CredentialsBaseOptions { ExcludeCharacters = ExcludedCharacters }),
            DatabaseName = settings.DatabaseName,
            StorageType = StorageType.GP3,
            AllocatedStorage = settings.DatabaseStorageGb,
            MaxAllocatedStorage = settings.DatabaseStorageGb * 5,
            StorageEncrypted = true,
            PubliclyAccessible = false,
            MultiAz = settings.DatabaseMultiAz,
            BackupRetention = Duration.Days(settings.BackupRetentionDays),
            DeletionProtection = settings.DeletionProtection,
            RemovalPolicy = RemovalPolicy.SNAPSHOT,
        });
        NagSuppressions.Add(Instance, "AwsSolutions-RDS11",
            "Port 5432 is kept: a non-default port hides nothing from a client inside the VPC; the database is in isolated subnets and admits only the tasks' security group.");
        if (!settings.DatabaseMultiAz)
        {
            NagSuppressions.Add(Instance, "AwsSolutions-RDS3",
                "Single-AZ by default for cost (about twice the price otherwise): the warehouse is rebuilt from the bucket and backed up daily; -c databaseMultiAz=true for a standby.");
        }
        MasterSecret = Instance.Secret!;
        Rotate(MasterSecret, "MasterSecretRotation", settings, network);
        WorkerSecret = new DatabaseSecret(this, "WorkerSecret", new DatabaseSecretProps
        {
            Username = WorkerRole.Name, Dbname = settings.DatabaseName, ExcludeCharacters = ExcludedCharacters,
        }).Attach(Instance);
        Rotate(WorkerSecret, "WorkerSecretRotation", settings, network);
        Host = Instance.DbInstanceEndpointAddress;
        Port = Instance.DbInstanceEndpointPort;
    }

    public DatabaseInstance? Instance { get; }

    /// <summary>The migration task's login (the RDS master user, or the existing database's): JSON with <c>username</c> and <c>password</c>.</summary>
    public ISecret MasterSecret { get; }

    /// <summary>The workers' login, <see cref="WorkerRole.Name"/>, rotated: JSON with <c>username</c> and <c>password</c>.</summary>
    public ISecret WorkerSecret { get; }

    public string Host { get; }
    public string Port { get; }
    public string DatabaseName { get; }

    /// <summary>
    /// What the tasks get in <c>ConnectionStrings__warehouse</c>: no credentials (those are secrets), TLS with the
    /// server's certificate and host name verified against the CA bundle in the image.
    /// </summary>
    public string ConnectionString =>
        $"Host={Host};Port={Port};Database={DatabaseName};SSL Mode=VerifyFull;Root Certificate={WorkerImages.DatabaseCaBundlePath}";

    /// <summary>Single-user rotation by the AWS-hosted function, in the tasks' subnets and security group (so it reaches the database).</summary>
    private void Rotate(ISecret secret, string id, DeploySettings settings, SparkifyNetwork network) =>
        secret.AddRotationSchedule(id, new RotationScheduleOptions
        {
            AutomaticallyAfter = Duration.Days(settings.SecretRotationDays),
            HostedRotation = HostedRotation.PostgreSqlSingleUser(new SingleUserHostedRotationOptions
            {
                Vpc = network.Vpc, VpcSubnets = network.Workers, SecurityGroups = [network.Tasks], ExcludeCharacters = ExcludedCharacters,
            }),
        });
}

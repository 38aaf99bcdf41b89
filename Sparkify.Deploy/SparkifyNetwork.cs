using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.S3;
using Constructs;

namespace Sparkify.Deploy;

/// <summary>
/// A VPC over two availability zones: public subnets (NAT only), private subnets for the tasks and isolated ones for
/// the database. S3 is reached through a gateway endpoint (free, no NAT traffic). The rest of the tasks' egress (SQS,
/// ECR, CloudWatch Logs, Secrets Manager) goes through NAT gateways, or — with natGateways = 0 — through interface
/// endpoints, which cost more per hour (five endpoints in two zones) but nothing per GB.
/// </summary>
internal sealed class SparkifyNetwork : Construct
{
    public const string WorkerSubnets = "Workers";
    public const string DataSubnets = "Data";

    public SparkifyNetwork(Construct scope, string id, DeploySettings settings, IBucket logs) : base(scope, id)
    {
        var withNat = settings.NatGateways > 0;
        Vpc = new Vpc(this, "Vpc", new VpcProps
        {
            MaxAzs = 2,
            NatGateways = settings.NatGateways,
            SubnetConfiguration =
            [
                new SubnetConfiguration { Name = "Public", SubnetType = SubnetType.PUBLIC, CidrMask = 24 },
                new SubnetConfiguration
                {
                    Name = WorkerSubnets, SubnetType = withNat ? SubnetType.PRIVATE_WITH_EGRESS : SubnetType.PRIVATE_ISOLATED, CidrMask = 22,
                },
                new SubnetConfiguration { Name = DataSubnets, SubnetType = SubnetType.PRIVATE_ISOLATED, CidrMask = 24 },
            ],
            GatewayEndpoints = new Dictionary<string, IGatewayVpcEndpointOptions>
            {
                ["S3"] = new GatewayVpcEndpointOptions { Service = GatewayVpcEndpointAwsService.S3 },
            },
        });
        // Every accepted and rejected flow, to the log bucket (cheaper than CloudWatch Logs, and needs no role).
        Vpc.AddFlowLog("FlowLogs", new FlowLogOptions
        {
            Destination = FlowLogDestination.ToS3(logs, "vpc-flow-logs/"), TrafficType = FlowLogTrafficType.ALL,
        });
        Tasks = new SecurityGroup(this, "Tasks", new SecurityGroupProps
        {
            Vpc = Vpc, Description = "Sparkify worker and migration tasks, and the secret rotation functions", AllowAllOutbound = true,
        });
        if (!withNat)
        {
            foreach (var (name, service) in new[]
            {
                ("Sqs", InterfaceVpcEndpointAwsService.SQS), ("EcrApi", InterfaceVpcEndpointAwsService.ECR),
                ("EcrDocker", InterfaceVpcEndpointAwsService.ECR_DOCKER), ("Logs", InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS),
                ("SecretsManager", InterfaceVpcEndpointAwsService.SECRETS_MANAGER),
            })
            {
                // Reachable from the tasks' group only, not from the whole VPC.
                var endpoint = Vpc.AddInterfaceEndpoint(name, new InterfaceVpcEndpointOptions
                {
                    Service = service, Subnets = Workers, PrivateDnsEnabled = true, Open = false,
                });
                endpoint.Connections.AllowDefaultPortFrom(Tasks, "Sparkify tasks");
            }
        }
    }

    public Vpc Vpc { get; }

    /// <summary>The security group of every task: the database admits it on its port.</summary>
    public SecurityGroup Tasks { get; }

    public SubnetSelection Workers => new() { SubnetGroupName = WorkerSubnets };

    public SubnetSelection Data => new() { SubnetGroupName = DataSubnets };
}

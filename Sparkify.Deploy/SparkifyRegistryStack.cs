using Amazon.CDK;
using Amazon.CDK.AWS.ECR;
using Constructs;

namespace Sparkify.Deploy;

/// <summary>
/// The three ECR repositories, deployed before the images are pushed and the main stack is deployed (the services
/// need their images to exist). Images are scanned on push; old untagged ones expire.
/// </summary>
public sealed class SparkifyRegistryStack : Stack
{
    public SparkifyRegistryStack(Construct scope, string id, IStackProps? props = null) : base(scope, id, props)
    {
        foreach (var name in WorkerImages.All)
        {
            var repository = new Repository(this, name, new RepositoryProps
            {
                RepositoryName = name,
                ImageScanOnPush = true,
                RemovalPolicy = RemovalPolicy.RETAIN,
                LifecycleRules = [new LifecycleRule { TagStatus = TagStatus.UNTAGGED, MaxImageAge = Duration.Days(14) }],
            });
            _ = repository;
        }
        new CfnOutput(this, "Registry", new CfnOutputProps
        {
            Value = $"{Aws.ACCOUNT_ID}.dkr.ecr.{Aws.REGION}.{Aws.URL_SUFFIX}",
            Description = "scripts/publish-images.sh takes this as REGISTRY",
        });
    }
}

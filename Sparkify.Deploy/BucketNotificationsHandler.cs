using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;

namespace Sparkify.Deploy;

/// <summary>
/// CDK writes a bucket's event notifications through a Lambda-backed custom resource of its own (one per stack). Its
/// cdk-nag findings, which the stack cannot change, are suppressed here with the reasons.
/// </summary>
internal static class BucketNotificationsHandler
{
    public static void Suppress(Stack stack)
    {
        var handler = stack.Node.Children.OfType<Construct>().Single(c => c.Node.Id.StartsWith("BucketNotificationsHandler", StringComparison.Ordinal));
        NagSuppressions.Add(handler, "AwsSolutions-L1",
            "CDK's bucket-notifications custom resource: its Lambda runtime is the one this CDK version ships with the handler; it runs only at deployment.");
        var role = (Role)handler.Node.FindChild("Role");
        NagSuppressions.Add(role, "AwsSolutions-IAM4",
            "CDK's bucket-notifications custom resource: its Lambda role has the AWS managed AWSLambdaBasicExecutionRole (its own logs), as CDK creates it.",
            "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
        NagSuppressions.Add(role.Node.FindChild("DefaultPolicy"), "AwsSolutions-IAM5",
            "CDK's bucket-notifications custom resource: s3:PutBucketNotification is granted on * by CDK; it runs only at deployment, to write the source bucket's event notifications.",
            "Resource::*");
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Amazon;
using Amazon.Runtime.Telemetry;
using Amazon.Runtime.Telemetry.Tracing;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The AWS SDK's own spans, recorded as <see cref="Activity"/>s (no maintained AWS SDK instrumentation restores here).
/// The SDK opens one client span per operation — <c>SQS.SendMessageBatch</c>, <c>S3.GetObject</c>, with
/// <c>rpc.system = aws-api</c>, <c>rpc.service</c>, <c>rpc.method</c> and <c>aws.request_id</c> — and the HttpClient's
/// span for each attempt is its child, so a trace reads by operation. SQS operations also get the messaging
/// conventions' <c>messaging.system</c> and <c>messaging.operation.type</c>. The SDK's inner spans (credentials, compression,
/// its own HTTP request span beside the HttpClient's) are not recorded: they would only repeat their parent.
/// </summary>
public static class AwsSdkTracing
{
    /// <summary>The SDK names each tracer <c>AWSSDK.{service}</c>; this is the pattern of their activity sources.</summary>
    public const string SourceNames = TelemetryConstants.TelemetryScopePrefix + ".*";

    /// <summary>Has every SDK client, made before or after, record its spans as activities.</summary>
    public static void Register() => AWSConfigs.TelemetryProvider.RegisterTracerProvider(ActivityTracerProvider.Instance);

    /// <summary>The messaging operation type of an SQS call, after the OpenTelemetry messaging conventions.</summary>
    private static string? SqsOperationType(string method) => method switch
    {
        "ReceiveMessage" => "receive",
        "SendMessage" or "SendMessageBatch" => "send",
        "DeleteMessage" or "DeleteMessageBatch" or "ChangeMessageVisibility" or "ChangeMessageVisibilityBatch" => "settle",
        _ => null,
    };

    private static readonly HashSet<string> InnerSpans =
    [
        TelemetryConstants.HTTPRequestSpanName,
        TelemetryConstants.CredentialsRetrievalSpanName,
        TelemetryConstants.RequestCompressionSpanName,
    ];

    private sealed class ActivityTracerProvider : TracerProvider
    {
        public static readonly ActivityTracerProvider Instance = new();
        private readonly ConcurrentDictionary<string, ActivityTracer> tracers = new(StringComparer.Ordinal);

        public override Tracer GetTracer(string scope) => tracers.GetOrAdd(scope, static name => new ActivityTracer(name));

        public override Tracer GetTracer(string scope, Attributes attributes) => GetTracer(scope);
    }

    private sealed class ActivityTracer(string scope) : Tracer
    {
        private readonly ActivitySource source = new(scope);

        public override TraceSpan CreateSpan(string name, Attributes? initialAttributes = null, SpanKind spanKind = SpanKind.INTERNAL, SpanContext? parentContext = null)
        {
            if (InnerSpans.Contains(name) || !source.HasListeners())
            {
                return new ActivitySpan(null, name);
            }
            var tags = initialAttributes is null ? new ActivityTagsCollection() : new ActivityTagsCollection(initialAttributes.AllAttributes);
            if (tags.TryGetValue(TelemetryConstants.ServiceAttributeKey, out var service) && "SQS".Equals(service)
                && tags.TryGetValue(TelemetryConstants.MethodAttributeKey, out var method) && method is string operation)
            {
                tags["messaging.system"] = "aws_sqs";
                tags["messaging.operation.name"] = operation;
                if (SqsOperationType(operation) is { } type)
                {
                    tags["messaging.operation.type"] = type;
                }
            }
            var activity = source.StartActivity(name, Kind(spanKind), Parent(parentContext), tags);
            return new ActivitySpan(activity, name);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                source.Dispose();
            }
            base.Dispose(disposing);
        }

        private static ActivityContext Parent(SpanContext? parent) => parent is { IsValid: true }
            ? new ActivityContext(ActivityTraceId.CreateFromString(parent.TraceId), ActivitySpanId.CreateFromString(parent.SpanId), ActivityTraceFlags.None, isRemote: parent.IsRemote)
            : default;

        private static ActivityKind Kind(SpanKind kind) => kind switch
        {
            SpanKind.CLIENT => ActivityKind.Client,
            SpanKind.SERVER => ActivityKind.Server,
            SpanKind.PRODUCER => ActivityKind.Producer,
            SpanKind.CONSUMER => ActivityKind.Consumer,
            _ => ActivityKind.Internal,
        };
    }

    private sealed class ActivitySpan : TraceSpan
    {
        private readonly Activity? activity;

        public ActivitySpan(Activity? activity, string name)
        {
            this.activity = activity;
            Name = name;
        }

        public override void EmitEvent(string name, Attributes? attributes = null) =>
            Recording()?.AddEvent(new ActivityEvent(name, tags: attributes is null ? null : new ActivityTagsCollection(attributes.AllAttributes)));

        public override void SetAttribute(string key, object value) => Recording()?.SetTag(key, value);

        public override void SetStatus(SpanStatus status) => Recording()?.SetStatus(status switch
        {
            SpanStatus.OK => ActivityStatusCode.Ok,
            SpanStatus.ERROR => ActivityStatusCode.Error,
            _ => ActivityStatusCode.Unset,
        });

        public override void RecordException(Exception exception, Attributes? attributes = null)
        {
            if (Recording() is { } recording)
            {
                recording.AddException(exception, attributes is null ? default : new TagList([.. attributes.AllAttributes]));
                recording.SetStatus(ActivityStatusCode.Error, exception.Message);
            }
        }

        public override void End() => activity?.Stop();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                activity?.Dispose();
            }
            base.Dispose(disposing);
        }

        private Activity? Recording() => activity is { IsAllDataRequested: true } ? activity : null;
    }
}

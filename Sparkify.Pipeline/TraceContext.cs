using System.Diagnostics;
using Amazon.SQS.Model;

namespace Sparkify.Pipeline;

/// <summary>Carries the W3C trace context (traceparent/tracestate) across SQS in message attributes.</summary>
public static class TraceContext
{
    public static Dictionary<string, MessageAttributeValue> Inject(Activity? activity)
    {
        var attributes = new Dictionary<string, MessageAttributeValue>();
        if (activity is null)
        {
            return attributes;
        }
        DistributedContextPropagator.Current.Inject(activity, attributes, static (carrier, name, value) =>
        {
            if (carrier is Dictionary<string, MessageAttributeValue> map && value is not null)
            {
                map[name] = new MessageAttributeValue { DataType = "String", StringValue = value };
            }
        });
        return attributes;
    }

    public static ActivityContext Extract(Message message)
    {
        DistributedContextPropagator.Current.ExtractTraceIdAndState(message.MessageAttributes, static (carrier, name, out value, out values) =>
        {
            values = null;
            value = carrier is Dictionary<string, MessageAttributeValue> map && map.TryGetValue(name, out var attribute)
                ? attribute.StringValue
                : null;
        }, out var traceParent, out var traceState);
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
    }
}

using System.Text.Json;

namespace Sparkify.Warehouse.Parsing;

/// <summary>Reads one known field's value into a record being built.</summary>
internal delegate bool FieldReader<in TField, in TRecord>(ref Utf8JsonReader reader, TField field, TRecord record, out string? problem);

/// <summary>The framing every record shares: exactly one JSON object, nothing after it.</summary>
internal static class RecordObject
{
    /// <summary>
    /// Nesting is not limited below what the record limit allows: framing and skipping unknown fields keep one bit a
    /// level, not a stack frame, so a deeply nested unknown field is skipped like any other.
    /// </summary>
    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = int.MaxValue };

    /// <summary>
    /// Walks one JSON object, handing each known field to <paramref name="readField"/> and skipping unknown ones.
    /// The first field that cannot be read, or broken JSON, ends it with an error.
    /// </summary>
    public static bool TryReadFields<TField, TRecord>(
        ReadOnlySpan<byte> json, JsonFieldSet<TField> fields, TRecord record, FieldReader<TField, TRecord> readField, out RecordError error)
        where TField : struct, Enum
    {
        try
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            if (!Begin(ref reader, out error))
            {
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var known = fields.TryIdentify(ref reader, out var field);
                reader.Read();
                if (!known)
                {
                    reader.Skip();
                }
                else if (!readField(ref reader, field, record, out var problem))
                {
                    error = new RecordError(fields.NameOf(field), problem!);
                    return false;
                }
            }
            return End(ref reader, out error);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            error = Malformed(exception);
            return false;
        }
    }

    private static bool Begin(ref Utf8JsonReader reader, out RecordError error)
    {
        error = default;
        if (!reader.Read())
        {
            error = new RecordError(null, "empty record");
            return false;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = new RecordError(null, $"expected a JSON object, found {JsonCoercion.Describe(reader.TokenType)}");
            return false;
        }
        return true;
    }

    /// <summary>Checks, once the property loop ended, that the object closed and nothing follows it.</summary>
    private static bool End(ref Utf8JsonReader reader, out RecordError error)
    {
        error = default;
        if (reader.TokenType != JsonTokenType.EndObject)
        {
            error = new RecordError(null, "the JSON object is not closed");
            return false;
        }
        if (reader.Read())
        {
            error = new RecordError(null, "unexpected data after the JSON object");
            return false;
        }
        return true;
    }

    /// <summary>Turns what the JSON reader threw (syntax, invalid UTF-8) into an error row's reason.</summary>
    private static RecordError Malformed(Exception exception) => exception switch
    {
        JsonException json => new RecordError(null, "malformed JSON: " + FirstSentence(json.Message)),
        _ when exception.InnerException is System.Text.DecoderFallbackException => new RecordError(null, "invalid UTF-8 in a text value"),
        _ => new RecordError(null, "unreadable JSON: " + FirstSentence(exception.Message)),
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message).Trim();
    }
}

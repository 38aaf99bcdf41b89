using System.Text;
using System.Text.Json;

namespace Sparkify.Warehouse.Parsing;

/// <summary>Maps the UTF-8 property names of a record to an enum without allocating a string per property.</summary>
internal sealed class JsonFieldSet<TField> where TField : struct, Enum
{
    private readonly TField[] _fields = Enum.GetValues<TField>();
    private readonly string[] _names;
    private readonly byte[][] _utf8Names;

    public JsonFieldSet(JsonNamingPolicy naming)
    {
        _names = [.. _fields.Select(field => naming.ConvertName(field.ToString()))];
        _utf8Names = [.. _names.Select(Encoding.UTF8.GetBytes)];
    }

    public bool TryIdentify(ref Utf8JsonReader reader, out TField field)
    {
        var index = -1;
        if (reader.ValueIsEscaped)
        {
            index = Array.IndexOf(_names, reader.GetString());
        }
        else
        {
            var name = reader.ValueSpan;
            for (var i = 0; i < _utf8Names.Length; i++)
            {
                if (name.SequenceEqual(_utf8Names[i]))
                {
                    index = i;
                    break;
                }
            }
        }
        field = index >= 0 ? _fields[index] : default;
        return index >= 0;
    }

    public string NameOf(TField field) => _names[Array.IndexOf(_fields, field)];
}

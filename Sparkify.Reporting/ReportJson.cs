using System.Text.Json;
using System.Text.Json.Serialization;
using Sparkify.Warehouse.Reports;

namespace Sparkify.Reporting;

/// <summary>The report as one JSON document with stable snake_case field names, for scripts.</summary>
public static class ReportJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Serialize(WarehouseReport report) => JsonSerializer.Serialize(report, Options);
}

using Sparkify.ReportWeb;
using Sparkify.Warehouse.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddWarehouse();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapReportPages();
app.Run();

var builder = DistributedApplication.CreateBuilder(args);

// An existing PostgreSQL, given as ConnectionStrings__warehouse. The pipeline issue adds the local
// PostgreSQL and S3/SQS executables and the run-once mode.
var warehouse = builder.AddConnectionString("warehouse");

builder.AddProject<Projects.Sparkify_Transform>("transform")
    .WithReference(warehouse);

builder.AddProject<Projects.Sparkify_Ingest>("ingest")
    .WithReference(warehouse);

builder.Build().Run();

using Sparkify.Testing;

namespace Sparkify.Pipeline.IntegrationTests;

[CollectionDefinition(Name)]
public sealed class PipelineCollection : ICollectionFixture<PostgresFixture>, ICollectionFixture<FauxqsFixture>
{
    public const string Name = "pipeline";
}

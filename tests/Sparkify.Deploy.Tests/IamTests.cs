using System.Text.Json;
using System.Text.RegularExpressions;
using Sparkify.DevTools;

namespace Sparkify.Deploy.Tests;

/// <summary>
/// Least privilege, exactly: every (action, resource) pair each role is granted, compared with the README's IAM table
/// and with the execution roles' fixed list; a widened action or resource, or one more pair, fails.
/// </summary>
[Collection(DefaultStack.Name)]
public sealed partial class IamTests(DefaultApp app)
{
    [Fact]
    public void The_task_roles_grant_exactly_the_pairs_of_the_README_table()
    {
        var readme = ReadmeGrants();
        Assert.Equal(readme.Where(g => g.Role == "Ingest").Order(), Grants("WorkersIngestTaskRole").Select(g => g with { Role = "Ingest" }).Order());
        Assert.Equal(readme.Where(g => g.Role == "Transform").Order(), Grants("WorkersTransformTaskRole").Select(g => g with { Role = "Transform" }).Order());
        Assert.Equal(["Ingest", "Transform"], readme.Select(g => g.Role).Distinct().Order());
        // The migration task talks to the database only: its role has no policy at all.
        Assert.DoesNotContain(app.Resources("AWS::IAM::Policy"), p => p.Id.StartsWith("WorkersMigrationTaskRole", StringComparison.Ordinal));
        // The task roles, the four execution roles, the schedule's role, and CDK's bucket-notifications handler.
        Assert.Equal(8, app.Resources("AWS::IAM::Policy").Count());
    }

    [Fact]
    public void Listing_is_conditioned_on_exactly_the_two_source_prefixes()
    {
        var list = Statements("WorkersIngestTaskRole").Single(s => Actions(s).SequenceEqual(["s3:ListBucket"]));
        Assert.Equal(["bucket"], TemplateReferences.DescribeEach(list.GetProperty("Resource")));
        var condition = list.GetProperty("Condition");
        Assert.Equal(["StringLike"], condition.EnumerateObject().Select(c => c.Name));
        Assert.Equal(["s3:prefix"], condition.GetProperty("StringLike").EnumerateObject().Select(c => c.Name));
        Assert.Equal(["song_data/*", "log_data/*"], condition.GetProperty("StringLike").GetProperty("s3:prefix").EnumerateArray().Select(p => p.GetString()));
        var conditioned = app.Resources("AWS::IAM::Policy").SelectMany(p => StatementsOf(p.Resource)).Where(s => s.TryGetProperty("Condition", out _)).ToList();
        Assert.Equal(2, conditioned.Count);
        // The other: the schedule runs the Ingest task in this cluster only.
        var runTask = conditioned.Single(s => Actions(s).SequenceEqual(["ecs:RunTask"])).GetProperty("Condition");
        Assert.Equal(["ArnEquals ecs:cluster WorkersCluster"],
            runTask.EnumerateObject().SelectMany(c => c.Value.EnumerateObject().Select(k => $"{c.Name} {k.Name} {TemplateReferences.Describe(k.Value)}")));
    }

    [Fact]
    public void The_execution_roles_pull_their_own_image_write_their_own_logs_and_read_only_their_login()
    {
        foreach (var (task, repository, secrets) in new[]
        {
            ("Migration", "sparkify-cli", new[] { "master secret", "workers' secret" }),
            ("Ingest", "sparkify-ingest", new[] { "workers' secret" }),
            ("IngestEvents", "sparkify-ingest", new[] { "workers' secret" }),
            ("Transform", "sparkify-transform", new[] { "workers' secret" }),
        })
        {
            var expected = new List<Grant>
            {
                new("", "ecr:GetAuthorizationToken", "*"),
                new("", "logs:CreateLogStream", $"Workers{task}Logs"),
                new("", "logs:PutLogEvents", $"Workers{task}Logs"),
            };
            foreach (var action in new[] { "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage" })
            {
                expected.Add(new("", action, $"arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/{repository}"));
            }
            foreach (var secret in secrets)
            {
                expected.Add(new("", "secretsmanager:GetSecretValue", secret));
                expected.Add(new("", "secretsmanager:DescribeSecret", secret));
            }
            Assert.Equal(expected.Order(), Grants($"Workers{task}TaskExecutionRole").Order());
        }
    }

    [Fact]
    public void The_schedule_may_start_only_the_Ingest_task_with_its_two_roles()
    {
        Assert.Equal(
            new List<Grant>
            {
                new("", "ecs:RunTask", "WorkersIngestTask"),
                new("", "ecs:TagResource", "arn:${AWS::Partition}:ecs:${AWS::Region}:*:task/WorkersCluster/*"),
                new("", "iam:PassRole", "WorkersIngestTaskExecutionRole"),
                new("", "iam:PassRole", "WorkersIngestTaskRole"),
            }.Order(),
            Grants("WorkersIngestTaskEventsRole").Order());
    }

    [Fact]
    public void Every_statement_allows_and_names_its_actions()
    {
        foreach (var (id, policy) in app.Resources("AWS::IAM::Policy"))
        {
            foreach (var statement in StatementsOf(policy))
            {
                Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
                Assert.False(statement.TryGetProperty("NotAction", out _) || statement.TryGetProperty("NotResource", out _), id);
                Assert.All(Actions(statement), a => Assert.Matches("^[a-z0-9-]+:[A-Za-z]+$", a));
            }
        }
    }

    /// <summary>One role's grant: an action on one resource.</summary>
    public sealed record Grant(string Role, string Action, string Resource) : IComparable<Grant>
    {
        public int CompareTo(Grant? other) => string.CompareOrdinal(ToString(), other?.ToString());
    }

    /// <summary>
    /// The README's IAM table: one row per role and action, the resources as code spans (<c>bucket</c>,
    /// <c>bucket/song_data/*</c>, <c>file queue</c>, …).
    /// </summary>
    private static List<Grant> ReadmeGrants()
    {
        var readme = File.ReadAllLines(Path.Combine(LocalTools.FindRepositoryRoot(AppContext.BaseDirectory), "README.md"));
        var header = Array.FindIndex(readme, l => l.StartsWith("| task role | action | resource |", StringComparison.Ordinal));
        Assert.True(header >= 0, "the README has no IAM table");
        var grants = new List<Grant>();
        foreach (var row in readme.Skip(header + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = row.Split('|').Select(c => c.Trim()).ToArray();
            var action = CodeSpans(cells[2]).Single();
            grants.AddRange(CodeSpans(cells[3]).Select(resource => new Grant(cells[1], action, resource)));
        }
        return grants;
    }

    private static IEnumerable<string> CodeSpans(string cell) => CodeSpan().Matches(cell).Select(m => m.Groups[1].Value);

    private List<Grant> Grants(string rolePrefix) =>
        [.. Statements(rolePrefix).SelectMany(s => Actions(s).SelectMany(a => TemplateReferences.DescribeEach(s.GetProperty("Resource")).Select(r => new Grant("", a, r))))];

    private static IEnumerable<string> Actions(JsonElement statement) =>
        statement.GetProperty("Action") is { ValueKind: JsonValueKind.Array } many ? many.EnumerateArray().Select(a => a.GetString()!) : [statement.GetProperty("Action").GetString()!];

    private static IEnumerable<JsonElement> StatementsOf(JsonElement policy) =>
        policy.GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray();

    private List<JsonElement> Statements(string rolePrefix)
    {
        var policies = app.Resources("AWS::IAM::Policy").Where(p => p.Id.StartsWith(rolePrefix + "DefaultPolicy", StringComparison.Ordinal)).ToList();
        Assert.Single(policies);
        return [.. StatementsOf(policies[0].Resource)];
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();
}

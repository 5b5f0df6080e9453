using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Modular.Testing.Secure;

namespace Modular.Server.Tests.Deploy;

/// <summary>
/// Renders <c>deploy/helm/modular</c> for several values sets with <c>deploy/helm/render</c> (Go
/// text/template + sprig, as Helm renders; there is no helm binary here) and checks the manifests
/// against nats-server's chart conventions, and every generated server file with <c>modular check</c>.
/// Needs Debian's golang-go, golang-github-masterminds-sprig-dev and golang-gopkg-yaml.v3-dev
/// (scripts/test.sh installs them).
/// </summary>
public sealed partial class HelmChartTests : IDisposable
{
    private const string DebianPackages = "golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev";
    private static readonly string ChartDirectory = Path.Combine(RepositoryRoot(), "deploy", "helm", "modular");
    private static readonly Lazy<string> Renderer = new(BuildRenderer);
    private readonly string _directory = Directory.CreateTempSubdirectory("modular-helm-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task HelmChart_DefaultValues_ThreeReplicaMeshWithNatsConventions()
    {
        var manifests = Render();
        var set = AssertConventions(manifests, release: "modular", replicas: 3, watch: "5s");
        Assert.Equal("ConfigMap", set.Config.GetProperty("kind").GetString());
        Assert.Contains(manifests, m => Kind(m) == "PodDisruptionBudget");
        Assert.DoesNotContain(manifests, m => Kind(m) == "ServiceMonitor");
        foreach (var (_, toml) in set.Files)
        {
            Assert.Contains("plugins = []", toml, StringComparison.Ordinal);
        }

        await AssertModularCheckAsync(set.Files);
    }

    [Fact]
    public async Task HelmChart_EveryPlugin_TlsFromSecretBcryptS2DnsPinningServiceMonitor()
    {
        var manifests = Render("full-values.yaml");
        var set = AssertConventions(manifests, release: "modular", replicas: 5, watch: "5s");

        // The route password is in the route URLs: the files are a Secret, mounted as one.
        Assert.Equal("Secret", set.Config.GetProperty("kind").GetString());
        var volumes = set.Pod.GetProperty("volumes").EnumerateArray().ToList();
        Assert.Contains(volumes, v => v.GetProperty("name").GetString() == "config" && v.TryGetProperty("secret", out _));
        Assert.Contains(volumes, v => v.GetProperty("name").GetString() == "tls" && v.GetProperty("secret").GetProperty("secretName").GetString() == "modular-tls");

        // Lame duck 2m + grace 10s + 20 s.
        Assert.Equal(150, set.Pod.GetProperty("terminationGracePeriodSeconds").GetInt32());

        var monitor = Assert.Single(manifests, m => Kind(m) == "ServiceMonitor");
        var endpoint = Assert.Single(monitor.GetProperty("spec").GetProperty("endpoints").EnumerateArray());
        Assert.Equal("/metrics", endpoint.GetProperty("path").GetString());
        Assert.Equal("monitor", endpoint.GetProperty("port").GetString());
        Assert.Equal("prometheus", monitor.GetProperty("metadata").GetProperty("labels").GetProperty("release").GetString());

        foreach (var (_, toml) in set.Files)
        {
            Assert.Contains("plugins = [\"tls\",\"bcrypt\",\"s2\",\"dns\",\"pinning\"]", toml, StringComparison.Ordinal);
            Assert.Contains("nats-route://route:s3cret%2Fwith%40chars@modular-4.modular-headless.default.svc.cluster.local:6222", toml, StringComparison.Ordinal);
            Assert.Contains("[cluster.tls]", toml, StringComparison.Ordinal);
            Assert.Contains("[server.tls]", toml, StringComparison.Ordinal);
            Assert.Contains("name = \"modular-headless.default.svc.cluster.local\"", toml, StringComparison.Ordinal);
            Assert.Contains("accounts = [\"ORDERS\"]", toml, StringComparison.Ordinal);
        }

        await AssertModularCheckAsync(set.Files);
    }

    [Fact]
    public async Task HelmChart_GossipWithoutWatchOrPdb_RendersAndChecks()
    {
        var manifests = Render("gossip-values.yaml", release: "demo", @namespace: "brokers");
        var set = AssertConventions(manifests, release: "demo-modular", replicas: 3, watch: null);
        Assert.DoesNotContain(manifests, m => Kind(m) == "PodDisruptionBudget");
        foreach (var (_, toml) in set.Files)
        {
            Assert.Contains("seeds = [ \"demo-modular-headless.brokers.svc.cluster.local:6222\" ]", toml, StringComparison.Ordinal);
        }

        await AssertModularCheckAsync(set.Files);
    }

    [Fact]
    public async Task HelmChart_ClusterDisabled_OneServerWithoutRoutes()
    {
        var manifests = Render("single-values.yaml");
        var statefulSet = Assert.Single(manifests, m => Kind(m) == "StatefulSet");
        Assert.Equal(1, statefulSet.GetProperty("spec").GetProperty("replicas").GetInt32());
        var config = Assert.Single(manifests, m => Kind(m) == "ConfigMap");
        var file = Assert.Single(config.GetProperty("data").EnumerateObject());
        Assert.Equal("modular-0.toml", file.Name);
        Assert.DoesNotContain("[cluster]", file.Value.GetString()!, StringComparison.Ordinal);
        await AssertModularCheckAsync([(file.Name, file.Value.GetString()!)]);
    }

    [Fact]
    public void HelmChart_RouteAuthWithoutPassword_RenderFailsNamingTheValue()
    {
        var values = Path.Combine(_directory, "bad-values.yaml");
        File.WriteAllText(values, "routeAuth:\n  enabled: true\n  passwordHash: \"$2a$11$x\"\n");
        var (exitCode, _, stderr) = Run(Renderer.Value, ["-json", "-f", values, ChartDirectory], null);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("routeAuth.password is required", stderr, StringComparison.Ordinal);
    }

    /// <summary>The conventions every clustered rendering keeps; returns the pieces the caller checks further.</summary>
    private static RenderedSet AssertConventions(IReadOnlyList<JsonElement> manifests, string release, int replicas, string? watch)
    {
        var statefulSet = Assert.Single(manifests, m => Kind(m) == "StatefulSet");
        var spec = statefulSet.GetProperty("spec");
        Assert.Equal(release, statefulSet.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal("Parallel", spec.GetProperty("podManagementPolicy").GetString());
        Assert.Equal(replicas, spec.GetProperty("replicas").GetInt32());

        var services = manifests.Where(m => Kind(m) == "Service").ToList();
        Assert.Equal(2, services.Count);
        var headless = Assert.Single(services, s => s.GetProperty("spec").TryGetProperty("clusterIP", out var ip) && ip.GetString() == "None");
        Assert.True(headless.GetProperty("spec").GetProperty("publishNotReadyAddresses").GetBoolean());
        var headlessName = headless.GetProperty("metadata").GetProperty("name").GetString();
        Assert.Equal(headlessName, spec.GetProperty("serviceName").GetString());

        var pod = spec.GetProperty("template").GetProperty("spec");
        Assert.False(pod.TryGetProperty("shareProcessNamespace", out var shared) && shared.GetBoolean(), "a shared process namespace is what the config watch avoids");
        var container = Assert.Single(pod.GetProperty("containers").EnumerateArray());
        var env = container.GetProperty("env").EnumerateArray().ToList();
        Assert.Contains(env, e => e.GetProperty("name").GetString() == "POD_NAME"
            && e.GetProperty("valueFrom").GetProperty("fieldRef").GetProperty("fieldPath").GetString() == "metadata.name");
        var args = container.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToList();
        Assert.Equal(["run", "-c", "/etc/modular/config/$(POD_NAME).toml"], args.Take(3));
        Assert.Contains("--ports_file_dir", args);
        if (watch is null)
        {
            Assert.DoesNotContain("--config_watch", args);
        }
        else
        {
            Assert.Equal(watch, args[args.IndexOf("--config_watch") + 1]);
        }

        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            Assert.Equal("/healthz", container.GetProperty(probe).GetProperty("httpGet").GetProperty("path").GetString());
        }

        var preStop = container.GetProperty("lifecycle").GetProperty("preStop").GetProperty("exec").GetProperty("command").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.Equal(["/opt/modular/modular", "ldm", "--pid", "1"], preStop);

        var config = Assert.Single(manifests, m => Kind(m) is "ConfigMap" or "Secret");
        var files = config.GetProperty(Kind(config) == "Secret" ? "stringData" : "data").EnumerateObject()
            .Select(p => (Name: p.Name, Toml: p.Value.GetString()!)).ToList();
        Assert.Equal(Enumerable.Range(0, replicas).Select(i => $"{release}-{i}.toml"), files.Select(f => f.Name));
        var lameDuck = ParseSeconds(files[0].Toml, "lame_duck_duration") + ParseSeconds(files[0].Toml, "lame_duck_grace_period");
        Assert.True(pod.GetProperty("terminationGracePeriodSeconds").GetInt32() >= lameDuck + 20, "terminationGracePeriodSeconds must cover lame duck mode + 20 s");

        foreach (var (name, toml) in files)
        {
            var podName = name[..^".toml".Length];
            Assert.Contains($"name = \"{podName}\"", toml, StringComparison.Ordinal);

            // One route per replica, the pod's own included (a self-route is detected and dropped).
            var routes = RouteUrl().Matches(toml).Select(m => m.Groups["pod"].Value).ToList();
            Assert.Equal(Enumerable.Range(0, replicas).Select(i => $"{release}-{i}"), routes);
            Assert.Contains($"advertise = \"{podName}.{headlessName}.", toml, StringComparison.Ordinal);
        }

        var pdb = manifests.Where(m => Kind(m) == "PodDisruptionBudget").ToList();
        foreach (var budget in pdb)
        {
            Assert.Equal(1, budget.GetProperty("spec").GetProperty("maxUnavailable").GetInt32());
        }

        return new RenderedSet(config, pod, files);
    }

    /// <summary>Each rendered file passes <c>modular check</c>, with the TLS Secret's files made up by a test CA.</summary>
    private async Task AssertModularCheckAsync(IReadOnlyList<(string Name, string Toml)> files)
    {
        var tls = Path.Combine(_directory, "tls");
        using (var ca = DevCertificates.CreateAuthority())
        {
            var issued = ca.WriteServer(Path.Combine(_directory, "issued"), "server", ["*.modular-headless.default.svc.cluster.local"]);
            Directory.CreateDirectory(tls);
            File.Copy(issued.Cert, Path.Combine(tls, "tls.crt"), overwrite: true);
            File.Copy(issued.Key, Path.Combine(tls, "tls.key"), overwrite: true);
            File.Copy(issued.Ca, Path.Combine(tls, "ca.crt"), overwrite: true);
        }

        foreach (var (name, toml) in files)
        {
            var path = Path.Combine(_directory, name);
            await File.WriteAllTextAsync(path, toml.Replace("/etc/modular/tls/", tls + "/", StringComparison.Ordinal));
            var check = await ModularCli.RunAsync(TimeSpan.FromSeconds(60), "check", "-c", path);
            Assert.True(check.ExitCode == 0, $"modular check {name}: {check}\n{toml}");
        }
    }

    private static int ParseSeconds(string toml, string key)
    {
        var match = Regex.Match(toml, key + " = \"(?<n>\\d+)(?<unit>[sm])\"");
        Assert.True(match.Success, key);
        var n = int.Parse(match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture);
        return match.Groups["unit"].Value == "m" ? n * 60 : n;
    }

    private List<JsonElement> Render(string? values = null, string release = "modular", string @namespace = "default")
    {
        var args = new List<string> { "-json", "-name", release, "-namespace", @namespace };
        if (values is not null)
        {
            args.AddRange(["-f", Path.Combine(ChartDirectory, "ci", values)]);
        }

        args.Add(ChartDirectory);
        var (exitCode, stdout, stderr) = Run(Renderer.Value, args, null);
        Assert.True(exitCode == 0, $"render {values}: {stderr}");
        using var json = JsonDocument.Parse(stdout);
        return json.RootElement.EnumerateArray().Select(m => m.GetProperty("manifest").Clone()).ToList();
    }

    private static string? Kind(JsonElement manifest) => manifest.GetProperty("kind").GetString();

    private static string BuildRenderer()
    {
        var output = Path.Combine(Path.GetTempPath(), $"modular-helm-render-{Environment.ProcessId}");
        var source = Path.Combine(RepositoryRoot(), "deploy", "helm", "render");
        var environment = new Dictionary<string, string>
        {
            ["GO111MODULE"] = "off",
            ["GOPATH"] = "/usr/share/gocode",
            ["GOCACHE"] = Path.Combine(Path.GetTempPath(), "modular-helm-gocache"),
        };
        int exitCode;
        string stderr;
        try
        {
            (exitCode, _, stderr) = Run("go", ["build", "-o", output, "."], source, environment);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"go is needed to render the Helm chart: apt-get install -y {DebianPackages} ({ex.Message})", ex);
        }

        return exitCode == 0 ? output : throw new InvalidOperationException($"building deploy/helm/render failed (needs {DebianPackages}): {stderr}");
    }

    private static (int ExitCode, string StdOut, string StdErr) Run(string program, IEnumerable<string> args, string? workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} took over 2 minutes");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (Directory.Exists(Path.Combine(directory.FullName, "deploy", "helm", "modular")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("deploy/helm/modular not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("\"nats-route://[^\"]*?@?(?<pod>[a-z0-9-]+)\\.[a-z0-9.-]+:6222\"")]
    private static partial Regex RouteUrl();

    private sealed record RenderedSet(JsonElement Config, JsonElement Pod, List<(string Name, string Toml)> Files);
}

using System.Collections;
using System.Reflection;
using Formatting.Convention;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static VaeLab.Notebooks.Tests.TestNotebooks;

namespace Formatting.Convention
{
    // The convention is matched by name: this attribute is a stranger to the engine.
    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
    {
        public Type FormatterSourceType { get; } = formatterSourceType;
        public string[]? PreferredMimeTypes { get; set; }
    }
}

namespace VaeLab.Notebooks.Tests
{
    sealed class MimeFormatter(string mimeType, Func<object, string?> format, Type? type = null)
    {
        public string MimeType { get; } = mimeType;
        public Type? Type { get; } = type;

        public bool Format(object instance, TextWriter writer)
        {
            if (format(instance) is not { } text) return false;
            writer.Write(text);
            return true;
        }
    }

    [TypeFormatterSource(typeof(ChartFormatters))]
    class Chart(string name)
    {
        public string Name => name;
        public override string ToString() => $"chart {Name}";
    }

    class BarChart(string name) : Chart(name);

    class PieChart(string name) : Chart(name);

    sealed class ChartFormatters
    {
        public static int Created;

        public ChartFormatters() => Interlocked.Increment(ref Created);

        public IEnumerable CreateTypeFormatters() => new object[]
        {
            // Declines charts named "plain", so the next formatter and then the default get their turn.
            new MimeFormatter("text/html", o => ((Chart)o).Name == "plain" ? null : $"<svg>{((Chart)o).Name}</svg>"),
            new MimeFormatter("image/png", o => Convert.ToBase64String([1, 2, 3]), typeof(PieChart)),
            new MimeFormatter("text/plain", o => $"Chart({((Chart)o).Name})"),
        };
    }

    [TypeFormatterSource(typeof(ChartFormatters), PreferredMimeTypes = ["image/png"])]
    sealed class Thumbnail(string name) : PieChart(name);

    [TypeFormatterSource(typeof(BrokenFormatters))]
    sealed class Broken;

    sealed class BrokenFormatters
    {
        public IEnumerable CreateTypeFormatters() => new object[] { new { MimeType = "text/html" } };
    }

    /// <summary>A type with formatters of its own that another library shows its own way, as VaeLab shows TorchSharp's tensors.</summary>
    [TypeFormatterSource(typeof(GaugeFormatters))]
    public sealed class Gauge;

    sealed class GaugeFormatters
    {
        public IEnumerable CreateTypeFormatters() => new object[] { new MimeFormatter("text/html", _ => "<meter>own</meter>") };
    }

    /// <summary>That other library: an assembly-level attribute (its own, matched by name) names <see cref="Gauge"/> in ForType.</summary>
    static class GaugeLibrary
    {
        const string Source = """
            [assembly: Gauges.TypeFormatterSource(typeof(Gauges.GaugeFormatters), ForType = typeof(VaeLab.Notebooks.Tests.Gauge))]

            namespace Gauges;

            [System.AttributeUsage(System.AttributeTargets.Assembly)]
            public sealed class TypeFormatterSourceAttribute(System.Type formatterSourceType) : System.Attribute
            {
                public System.Type FormatterSourceType { get; } = formatterSourceType;
                public System.Type? ForType { get; set; }
            }

            public sealed class GaugeFormatter
            {
                public string MimeType => "text/html";
                public bool Format(object instance, System.IO.TextWriter writer) { writer.Write("<meter>library</meter>"); return true; }
            }

            public sealed class GaugeFormatters
            {
                public System.Collections.IEnumerable CreateTypeFormatters() => new[] { new GaugeFormatter() };
            }
            """;

        public static void Load()
        {
            var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
            var compilation = CSharpCompilation.Create("Gauges", [CSharpSyntaxTree.ParseText(Source)],
                [.. new[] { typeof(object).Assembly.Location, Path.Combine(runtime, "System.Runtime.dll"), typeof(Gauge).Assembly.Location }
                    .Select(path => MetadataReference.CreateFromFile(path))],
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            using var image = new MemoryStream();
            var emitted = compilation.Emit(image);
            if (!emitted.Success) throw new InvalidOperationException(string.Join("\n", emitted.Diagnostics));
            Assembly.Load(image.ToArray());
        }
    }

    // One class, so that no other formatter test runs while the library loads (which clears the engine's formatters).
    public class FormatterTests
    {
        [Fact]
        public void A_library_loaded_later_that_names_a_type_in_ForType_shows_it_in_place_of_the_type_s_own_formatters()
        {
            Assert.Equal("<meter>own</meter>", ValueFormatter.Format(new Gauge())["text/html"]);

            GaugeLibrary.Load();

            Assert.Equal("<meter>library</meter>", ValueFormatter.Format(new Gauge())["text/html"]);
        }

        [Fact]
        public void A_type_with_the_attribute_gets_html_and_its_own_plain_text()
        {
            var data = ValueFormatter.Format(new Chart("loss"));

            Assert.Equal(["text/html", "text/plain"], data.Keys.Order());
            Assert.Equal("<svg>loss</svg>", data["text/html"]);
            Assert.Equal("Chart(loss)", data["text/plain"]);
        }

        [Fact]
        public void Derived_types_inherit_the_formatters_even_when_the_attribute_is_not_inherited()
        {
            Assert.Equal("<svg>bars</svg>", ValueFormatter.Format(new BarChart("bars"))["text/html"]);
        }

        [Fact]
        public void A_formatter_that_declines_leaves_the_value_to_the_next_one()
        {
            // html declines, png applies to pie charts only: the default plain text would be ToString, the convention's wins.
            Assert.Equal(new Dictionary<string, string> { ["text/plain"] = "Chart(plain)" }, ValueFormatter.Format(new Chart("plain")));
            Assert.Equal(new Dictionary<string, string> { ["image/png"] = "AQID", ["text/plain"] = "Chart(plain)" }, ValueFormatter.Format(new PieChart("plain")));
        }

        [Fact]
        public void Requested_mime_types_are_exactly_what_is_produced()
        {
            Assert.Equal(new Dictionary<string, string> { ["text/plain"] = "Chart(a)" }, ValueFormatter.Format(new Chart("a"), "text/plain"));
            Assert.Equal(new Dictionary<string, string> { ["image/png"] = "AQID", ["text/html"] = "<svg>p</svg>" },
                ValueFormatter.Format(new PieChart("p"), "image/png", "text/html"));
            Assert.Equal(new Dictionary<string, string> { ["text/html"] = "<b>bold</b>" }, ValueFormatter.Format("<b>bold</b>", "text/html"));
            Assert.Equal("<pre>12</pre>", ValueFormatter.Format(12, "text/html")["text/html"]);
        }

        [Fact]
        public void Preferred_mime_types_of_the_attribute_replace_the_default_choice()
        {
            Assert.Equal(new Dictionary<string, string> { ["image/png"] = "AQID" }, ValueFormatter.Format(new Thumbnail("t")));
        }

        [Fact]
        public void The_formatter_source_is_created_once_per_type()
        {
            var before = ChartFormatters.Created;
            var type = new BarChart("x");
            ValueFormatter.Format(type);
            var afterFirst = ChartFormatters.Created;
            ValueFormatter.Format(type);
            ValueFormatter.Format(new BarChart("y"));

            Assert.InRange(afterFirst - before, 0, 1);
            Assert.Equal(afterFirst, ChartFormatters.Created);
        }

        [Fact]
        public void A_malformed_formatter_is_reported_by_name()
        {
            var e = Assert.Throws<InvalidOperationException>(() => ValueFormatter.Format(new Broken()));
            Assert.Contains("bool Format(object instance, TextWriter writer)", e.Message);
        }

        [Fact]
        public void Defaults_strings_plain_collections_tables_objects_tostring()
        {
            Assert.Equal(new Dictionary<string, string> { ["text/plain"] = "<i>x</i>" }, ValueFormatter.Format("<i>x</i>"));
            Assert.Equal(new Dictionary<string, string> { ["text/plain"] = "<null>" }, ValueFormatter.Format(null));
            Assert.Equal(new Dictionary<string, string> { ["text/plain"] = "2.5" }, ValueFormatter.Format(2.5m));
            Assert.Equal(new Dictionary<string, string> { ["text/html"] = "<p>" }, ValueFormatter.Format(new HtmlString("<p>")));

            var numbers = ValueFormatter.Format(new List<int> { 4, 5 });
            Assert.Equal("[4, 5]", numbers["text/plain"]);
            Assert.Equal("<table><thead><tr><th><i>index</i></th><th>value</th></tr></thead><tbody><tr><td>0</td><td>4</td></tr><tr><td>1</td><td>5</td></tr></tbody></table>",
                numbers["text/html"]);

            var rows = ValueFormatter.Format(new[] { new { Name = "a<", Size = 1 } })["text/html"];
            Assert.Contains("<th>Name</th><th>Size</th>", rows);
            Assert.Contains("<td>0</td><td>a&lt;</td><td>1</td>", rows);

            var many = ValueFormatter.Format(Enumerable.Range(0, 1000));
            Assert.EndsWith("99, ...]", many["text/plain"]);
            Assert.Contains("only the first 100 items", many["text/html"]);
        }

        [Fact]
        public async Task Display_in_a_notebook_uses_the_convention_and_the_kernel_globals()
        {
            var run = await Run("display.ipynb");
            Assert.True(run.Succeeded, run.Error);

            IReadOnlyDictionary<string, string> Shown(string id) => CellWithId(run, id).Outputs.OfType<DisplayOutput>().Single().Data;

            Assert.Equal("<b>circle</b>", Shown("derived")["text/html"]);
            Assert.Equal(new Dictionary<string, string> { ["text/plain"] = "Shape circle" }, Shown("plain"));
            var trailing = CellWithId(run, "trailing").Outputs.OfType<DisplayOutput>().Single();
            Assert.True(trailing.IsResult);
            Assert.Equal("<b>square</b>", trailing.Data["text/html"]);
            Assert.False(CellWithId(run, "derived").Outputs.OfType<DisplayOutput>().Single().IsResult);
            Assert.Equal(new Dictionary<string, string> { ["text/plain"] = "<i>not html</i>" }, Shown("string"));
            Assert.Equal(new Dictionary<string, string> { ["text/html"] = "<u>raw</u>" }, Shown("html"));
            Assert.Contains("<td>2</td><td>3</td>", Shown("list")["text/html"]);
            Assert.Contains("<td>1</td><td>b&lt;</td><td>2</td>", Shown("objects")["text/html"]);
            Assert.Equal(new Dictionary<string, string> { ["text/plain"] = "second" }, Shown("update"));
            var styles = CellWithId(run, "styles").Outputs.OfType<DisplayOutput>().Select(o => o.Data["text/html"]).ToList();
            Assert.Equal(["<style>.note { color: red; }</style>", "<script type=\"text/javascript\">console.log(1);</script>"], styles);
        }
    }
}

using Microsoft.DotNet.Interactive.Formatting;
using VaeLab.Display;
using static VaeLab.Display.Notebook;

namespace VaeLab.Tests.Display;

public class NotebookTests
{
    [Fact]
    public void ReportRaisesTheEventKeepsTheMetricAndReturnsABadge()
    {
        var name = $"accuracy <{Guid.NewGuid():N}>";
        var heard = new List<(string, double)>();
        // As the notebook engine does: by reflection, with a delegate of the event's own type.
        var reported = typeof(Notebook).GetEvent("MetricReported")!;
        Assert.Equal(typeof(Action<string, double>), reported.EventHandlerType);
        Action<string, double> handler = (n, v) => { if (n == name) heard.Add((n, v)); };
        reported.AddEventHandler(null, handler);
        try
        {
            var metric = report(name, 0.958281234, "%");
            Assert.Equal([(name, 0.958281234)], heard);
            Assert.Contains(metric, ReportedMetrics);
            Assert.Equal(new Metric(name, 0.958281234, "%"), metric);

            var badge = Markup.Parse(metric.ToDisplayString("text/html")).Element("span")!;
            Assert.Equal([name, "0.958281 %"], badge.Elements("span").Select(s => s.Value));
            Assert.Equal("0.958281234", badge.Elements("span").Last().Attribute("title")!.Value);
            Assert.Equal($"{name}: 0.958281 %", metric.ToString());
        }
        finally
        {
            reported.RemoveEventHandler(null, handler);
        }
    }

    [Fact]
    public void AMetricNeedsAName() => Assert.Throws<ArgumentException>(() => report(" ", 1));
}

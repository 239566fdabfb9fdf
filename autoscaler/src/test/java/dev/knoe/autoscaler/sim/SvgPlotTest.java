package dev.knoe.autoscaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.autoscaler.ScalingPolicy;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgPlotTest {

  private static Document parse(String svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  private static Element byId(Document d, String id) {
    NodeList all = d.getElementsByTagNameNS("*", "*");
    for (int i = 0; i < all.getLength(); i++) {
      Element e = (Element) all.item(i);
      if (id.equals(e.getAttribute("id"))) {
        return e;
      }
    }
    return null;
  }

  @Test
  void aBurstyRunPlotsAsWellFormedSvgWithEverySeries() throws Exception {
    ScalingPolicy policy =
        ScalingPolicy.forDeployment(
            ScalingPolicy.builder()
                .stableWindow(Duration.ofSeconds(20))
                .scaleToZeroGracePeriod(Duration.ofSeconds(10))
                .build(),
            true,
            1,
            0,
            0,
            70,
            2);
    Pattern p =
        new Pattern(Pattern.Kind.BURSTY, 0, 20, 0, 120, 30, ServiceTime.exponential(0.3), 1, 3);
    SimulationSpec spec = new SimulationSpec(p, policy, 900, 1.0, 0, 0, 1, 0, 1);
    SimulationResult r = Simulation.run(spec);
    String svg =
        SvgPlot.render(r.timeline(), "Autoscaling <simulation> & test", Simulate.subtitle(spec));
    Document d = parse(svg);
    assertEquals("svg", d.getDocumentElement().getLocalName());
    assertEquals("http://www.w3.org/2000/svg", d.getDocumentElement().getNamespaceURI());
    for (String id :
        new String[] {
          "arrivals", "in-flight", "stable", "desired", "ready", "fixed", "cold-waited"
        }) {
      assertNotNull(byId(d, id), "series " + id);
    }
    String ready = byId(d, "ready").getAttribute("d");
    assertTrue(ready.split("L").length > 100, "the ready series has a point per second or bin");
    assertTrue(svg.contains("Autoscaling &lt;simulation&gt; &amp; test"), "the title, escaped");
    assertTrue(svg.contains("time (minutes)"));
    assertTrue(svg.contains("fixed deployment (" + r.timeline().fixedSize() + ")"));
    int zeros = 0;
    int[] readies = r.timeline().ready();
    for (int v : readies) {
      if (v == 0) {
        zeros++;
      }
    }
    assertTrue(zeros > 60, "quiet periods scale to zero");
  }

  @Test
  void longTimelinesAreBinned() throws Exception {
    Timeline t = new Timeline("x", 36_000);
    for (int s = 0; s < t.seconds(); s++) {
      t.arrivals[s] = s % 100;
      t.inFlight[s] = 1.5;
      t.ready[s] = s / 3600;
      t.desired[s] = s / 3600;
    }
    t.fixedSize = 10;
    String svg = SvgPlot.render(t, "ten hours", "");
    Document d = parse(svg);
    assertTrue(
        byId(d, "ready").getAttribute("d").split("L").length < 2000, "binned to the plot's width");
    assertTrue(svg.contains("time (hours)"));
    assertTrue(svg.contains("(40 s bins"), svg.substring(0, 2000));
  }
}

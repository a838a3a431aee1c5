package org.genai4j.samples.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.genai4j.common.util.AtomicFile;

/**
 * An experiment report written twice: as a self-contained HTML page (tables, text, PNG images
 * embedded) for a person, and as a JSON file with the same numbers for a program.
 */
public final class Report {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final StringBuilder body = new StringBuilder();
  private final ObjectNode json = JSON.createObjectNode();
  private final ArrayNode sections = json.putArray("sections");
  private final String title;

  public Report(String title, Map<String, String> facts) {
    this.title = title;
    json.put("title", title);
    json.put("created", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    ObjectNode f = json.putObject("facts");
    facts.forEach(f::put);
    body.append("<h1>").append(esc(title)).append("</h1>\n<dl class=\"facts\">");
    facts.forEach((k, v) -> body.append("<dt>").append(esc(k)).append("</dt><dd>").append(esc(v)).append("</dd>"));
    body.append("</dl>\n");
  }

  /** A heading with an explanatory paragraph. */
  public Report section(String heading, String text) {
    body.append("<h2>").append(esc(heading)).append("</h2>\n");
    if (text != null && !text.isEmpty()) {
      body.append("<p>").append(esc(text)).append("</p>\n");
    }
    sections.addObject().put("heading", heading).put("text", text == null ? "" : text);
    return this;
  }

  /** A table; its rows also go to the JSON file under {@code tables[caption]}. */
  public Report table(String caption, List<String> headers, List<List<String>> rows) {
    body.append("<table><caption>").append(esc(caption)).append("</caption>\n<tr>");
    headers.forEach(h -> body.append("<th>").append(esc(h)).append("</th>"));
    body.append("</tr>\n");
    ArrayNode jrows = json.with("tables").putArray(caption);
    for (List<String> row : rows) {
      body.append("<tr>");
      ObjectNode jrow = jrows.addObject();
      for (int i = 0; i < row.size(); i++) {
        body.append("<td>").append(esc(row.get(i))).append("</td>");
        jrow.put(i < headers.size() ? headers.get(i) : "col" + i, row.get(i));
      }
      body.append("</tr>\n");
    }
    body.append("</table>\n");
    return this;
  }

  /** A PNG embedded in the page (as a data URL, so the report is one file). */
  public Report image(String caption, Path png) {
    try {
      String b64 = Base64.getEncoder().encodeToString(Files.readAllBytes(png));
      body.append("<figure><img alt=\"").append(esc(caption)).append("\" src=\"data:image/png;base64,")
          .append(b64).append("\"><figcaption>").append(esc(caption)).append("</figcaption></figure>\n");
      json.withArray("images").addObject().put("caption", caption).put("file", png.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("could not read image " + png + " for the report", e);
    }
    return this;
  }

  /** Preformatted text such as a generated sample. */
  public Report text(String caption, String text) {
    body.append("<figure><pre>").append(esc(text)).append("</pre><figcaption>").append(esc(caption))
        .append("</figcaption></figure>\n");
    json.withArray("texts").addObject().put("caption", caption).put("text", text);
    return this;
  }

  /** Writes {@code <dir>/report.html} and {@code <dir>/report.json}; returns the HTML path. */
  public Path write(Path dir) {
    try {
      Files.createDirectories(dir);
      Path html = dir.resolve("report.html");
      writeAtomically(html, page());
      writeAtomically(dir.resolve("report.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
      return html;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write report to " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void writeAtomically(Path file, String content) {
    AtomicFile.write(file, "report", tmp -> Files.writeString(tmp, content, StandardCharsets.UTF_8));
  }


  private String page() {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title>\n"
        + "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        + "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:4px 8px;text-align:right}"
        + "th{background:#eee}caption{font-weight:bold;text-align:left;padding:4px 0}"
        + "figure{display:inline-block;margin:0.5em;vertical-align:top}img{image-rendering:pixelated;max-width:520px}"
        + "pre{background:#f6f6f6;padding:8px;max-width:520px;white-space:pre-wrap}"
        + "dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:bold}</style>\n"
        + "</head><body>\n" + body
        // Lets a headless browser test check that every table and image actually rendered.
        + "<script>window.addEventListener('load',function(){var i=[].slice.call(document.images);"
        + "document.body.setAttribute('data-images-total',i.length);"
        + "document.body.setAttribute('data-images-ok',i.filter(function(x){return x.complete&&x.naturalWidth>0;}).length);"
        + "document.body.setAttribute('data-table-rows',document.querySelectorAll('table tr').length);});</script>\n"
        + "</body></html>\n";
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}

import Foundation

/// The HTML report: one self-contained page (no network: styles, charts and script inline),
/// readable on a laptop, with a Thai font stack; charts as inline SVG (findings per ministry,
/// per rule, large projects by obligation status); a sortable, filterable table of the flagged
/// projects; ministry → agency sections with each finding's evidence and routing. Every value
/// from the data is HTML-escaped.
public enum HTMLReport {
    public static func render(_ r: FlaggedReport, language l: Language) -> String {
        var page = ""
        write(r, language: l) { page += $0 }
        return page
    }

    /// Writes the page to a new file at `path` (replacing one there) a megabyte at a time: at 1 M
    /// projects the whole page is 700 MB, which held as one string doubled the report's memory.
    public static func write(_ r: FlaggedReport, language l: Language, toFile path: String) throws {
        try StreamedText.write(toFile: path) { write(r, language: l, $0) }
    }

    /// Writes the page to `handle` a megabyte at a time.
    public static func write(_ r: FlaggedReport, language l: Language, to handle: FileHandle) throws {
        try StreamedText.write(to: handle) { write(r, language: l, $0) }
    }

    /// The page in pieces of about a megabyte, in order.
    static func write(_ r: FlaggedReport, language l: Language, _ emit: (String) -> Void) {
        func t(_ label: ReportLabel) -> String { esc(label.text(l)) }
        var h = """
            <!doctype html>
            <html lang="\(l.rawValue)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(t(.title)) — run \(r.runID)</title>
            <style>\(css)</style>
            </head>
            <body>
            <header>
            <h1>\(t(.title))</h1>
            <p class="meta">\(t(.generated)) \(esc(r.generatedAt)) · \(t(.run)) \(r.runID) (\(esc(r.runStarted)))\
            \(r.rulesDirectory.map { " · \(t(.rulesDirectory)) <code>\(esc($0))</code>" } ?? "")</p>
            <p class="meta">\(t(.filters)): \(esc(r.filters.text(l) ?? ReportLabel.noFilter.text(l)))</p>
            </header>
            <main>
            <section class="cards">
            <div class="card"><span class="n">\(r.projectCount)</span><span>\(t(.projectsFlagged))</span></div>
            <div class="card"><span class="n">\(r.findingCount)</span><span>\(t(.findingsTotal))</span></div>
            <div class="card muted"><span class="n">\(r.notComputable.reduce(0) { $0 + $1.records })</span><span>\(t(.notComputable))</span></div>

            """
        func flushIfFull() {
            guard h.utf8.count >= 1 << 20 else { return }
            emit(h)
            h = ""
        }
        if let large = r.largeProjects, large.total > 0 {
            h += #"<div class="card"><span class="n">\#(large.unassessed) / \#(large.total)</span><span>\#(t(.noAssessment))</span></div>"# + "\n"
        }
        h += "</section>\n<section class=\"charts\">\n"
        h += figure(t(.chartMinistry), bars(r.perMinistry.prefix(12).map { ($0.name, $0.findings, "#1d4ed8") }))
        h += figure(t(.chartRule), bars(r.rules.filter { $0.findings > 0 }.sorted { ($0.findings, $1.ruleID) > ($1.findings, $0.ruleID) }.prefix(15).map {
            ("\($0.ruleID) \($0.title.text(l))", $0.findings, color($0.severity ?? .info))
        }))
        if let large = r.largeProjects, large.total > 0 {
            h += figure(t(.chartLarge), bars([(ReportLabel.obligationsComplete.text(l), large.complete, "#15803d"),
                                              (ReportLabel.obligationsIncomplete.text(l), large.incomplete, "#d97706"),
                                              (ReportLabel.noAssessment.text(l), large.unassessed, "#b91c1c")]))
        }
        h += "</section>\n"

        // The flagged projects, sortable and filterable.
        h += "<section>\n<h2>\(t(.allProjects))</h2>\n"
        if let note = r.listingNote(l) { h += "<p class=\"note\">\(esc(note))</p>\n" }
        h += #"<input id="filter" type="search" placeholder="\#(t(.filterPlaceholder))" aria-label="\#(t(.filterPlaceholder))">"# + "\n"
        h += "<div class=\"scroll\"><table id=\"projects\"><thead><tr>"
        let columns: [(ReportLabel, Bool)] = [(.priority, true), (.score, true), (.projectName, false), (.agency, false), (.province, false),
                                              (.budget, true), (.agreedPrice, true), (.winner, false), (.findings, false), (.severity, true),
                                              (.oversight, false)]
        h += columns.map { #"<th data-type="\#($0.1 ? "num" : "text")" scope="col">\#(t($0.0))</th>"# }.joined()
        h += "</tr></thead><tbody>\n"
        for p in r.projects {
            let i = p.info
            let unit = i.currency == "THB" ? "" : " " + esc(i.currency)
            h += "<tr>"
            h += #"<td data-v="\#(i.priority)">\#(i.priority)</td><td data-v="\#(ReportText.score(i.score))">\#(String(format: "%.2f", i.score))</td>"#
            h += "<td class=\"project\"><span class=\"id\">\(esc(i.projectID))</span> \(esc(i.name ?? ""))"
            h += "<br><small class=\"muted\">\(esc(i.methodRaw ?? i.method ?? ""))\(i.fiscalYear.map { " · FY \($0)" } ?? "")</small></td>"
            h += "<td class=\"agency\">\(esc(i.agencyName ?? i.agencyID ?? ""))<br><small class=\"muted\">\(esc(i.ministry ?? ""))</small></td>"
            h += "<td>\(esc(i.province ?? ""))</td>"
            h += #"<td class="num" data-v="\#(i.budget ?? 0)">\#(ReportText.money(i.budget))\#(i.budget == nil ? "" : unit)</td>"#
            h += #"<td class="num" data-v="\#(i.agreedPrice ?? 0)">\#(ReportText.money(i.agreedPrice))\#(i.agreedPrice == nil ? "" : unit)</td>"#
            h += "<td class=\"winner\"><span class=\"id\">\(esc(i.winnerID ?? ""))</span>\(i.winnerName.map { "<br><small>\(esc($0))</small>" } ?? "")</td>"
            h += "<td class=\"chips\">" + p.findings.map { f in
                #"<span class="rule sev-\#(f.severity.rawValue)" title="\#(esc(r.ruleTitle(f.ruleID, l) + " — " + ReportText.summary(f, l)))">\#(esc(f.ruleID))</span>"#
            }.joined(separator: " ") + "</td>"
            h += #"<td data-v="\#(p.maxSeverity.rank)"><span class="badge sev-\#(p.maxSeverity.rawValue)">\#(esc(ReportText.severity(p.maxSeverity, l)))</span></td>"#
            h += "<td>\(esc(p.routes.joined(separator: ", ")))</td></tr>\n"
            flushIfFull()
        }
        h += "</tbody></table></div>\n"
        if r.projects.isEmpty { h += "<p>\(t(.noFindings))</p>\n" }
        h += "</section>\n"

        // Ministry → agency → project → findings with evidence and routing.
        h += "<section>\n<h2>\(t(.byMinistryAgency))</h2>\n"
        for m in r.ministries {
            h += "<details class=\"ministry\"><summary><b>\(esc(m.ministry))</b> — \(m.projects) \(t(.projects).lowercased()), \(m.findings) \(t(.findings).lowercased())</summary>\n"
            for a in m.agencies {
                h += "<details class=\"agency\"><summary>\(esc(a.agency)) — \(a.projects.count) \(t(.projects).lowercased()), \(a.findings) \(t(.findings).lowercased())</summary>\n<ul class=\"projects\">\n"
                for index in a.projects {
                    let p = r.projects[index]
                    h += "<li><b>#\(p.info.priority) \(esc(p.info.projectID))</b> \(esc(p.info.name ?? "")) <span class=\"muted\">\(t(.score)) \(String(format: "%.2f", p.info.score)) · \(t(.budget)) \(ReportText.money(p.info.budget))</span>\n<ul>\n"
                    for f in p.findings {
                        h += #"<li><span class="badge sev-\#(f.severity.rawValue)">\#(esc(ReportText.severity(f.severity, l)))</span> "#
                        h += "<b>\(esc(f.ruleID))</b> \(esc(r.ruleTitle(f.ruleID, l))): \(esc(ReportText.summary(f, l)))"
                        if f.subjectType != "project" { h += " <span class=\"muted\">(\(esc(f.subjectType)) \(esc(f.subjectID)))</span>" }
                        h += "<br><span class=\"route\">→ \(esc(f.routeTo.map { r.oversightName($0, l) }.joined(separator: "; ")))</span>"
                        let evidence = f.evidence.prefix(6).map { e in
                            esc(e.field) + " = " + esc(e.observed) + (e.threshold.map { " (" + esc($0) + ")" } ?? "")
                        }
                        if !evidence.isEmpty { h += "<br><small>" + evidence.joined(separator: " · ") + "</small>" }
                        h += "</li>\n"
                    }
                    h += "</ul></li>\n"
                    flushIfFull()
                }
                h += "</ul></details>\n"
            }
            h += "</details>\n"
        }
        h += "</section>\n"

        // Per rule, not computable, parameters.
        h += "<section>\n<h2>\(t(.perRule))</h2>\n<div class=\"scroll\"><table><thead><tr>"
        h += [ReportLabel.ruleID, .ruleTitle, .category, .severity, .findings, .projects, .notComputable].map { "<th>\(t($0))</th>" }.joined()
        h += "</tr></thead><tbody>\n"
        for rule in r.rules where rule.findings > 0 || rule.notComputable > 0 {
            h += "<tr><td>\(esc(rule.ruleID))</td><td>\(esc(rule.title.text(l)))</td><td>\(esc(r.categoryTitle(rule.category, l)))</td>"
            h += "<td>\(rule.severity.map { #"<span class="badge sev-\#($0.rawValue)">\#(esc(ReportText.severity($0, l)))</span>"# } ?? "")</td>"
            h += "<td class=\"num\">\(rule.findings)</td><td class=\"num\">\(rule.projects)</td><td class=\"num\">\(rule.notComputable)</td></tr>\n"
        }
        h += "</tbody></table></div>\n</section>\n"
        h += "<section>\n<h2>\(t(.notComputable))</h2>\n<p class=\"note\">\(t(.notComputableNote))</p>\n<table><thead><tr>"
        h += [ReportLabel.ruleID, .reason, .records].map { "<th>\(t($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for n in r.notComputable { h += "<tr><td>\(esc(n.rule))</td><td>\(esc(n.reason))</td><td class=\"num\">\(n.records)</td></tr>\n" }
        h += "</tbody></table>\n</section>\n"
        h += "<section>\n<details><summary><h2>\(t(.parametersUsed))</h2></summary>\n<table><thead><tr>"
        h += [ReportLabel.ruleID, .version, .parametersUsed].map { "<th>\(t($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for rule in r.rules {
            h += "<tr><td>\(esc(rule.ruleID))</td><td class=\"num\">\(rule.version)</td><td><small>\(esc(ReportTables.parameterText(rule.parameters)))</small></td></tr>\n"
        }
        h += "</tbody></table></details>\n</section>\n</main>\n<script>\(script)</script>\n</body>\n</html>\n"
        emit(h)
    }

    /// HTML-escaped text, safe in element content and in quoted attributes.
    public static func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    static func color(_ s: Severity) -> String {
        switch s {
        case .critical: return "#7f1d1d"
        case .high: return "#b91c1c"
        case .medium: return "#d97706"
        case .low: return "#2563eb"
        case .info: return "#6b7280"
        }
    }

    static func figure(_ caption: String, _ svg: String) -> String {
        "<figure>\n<figcaption>\(caption)</figcaption>\n\(svg)\n</figure>\n"
    }

    /// A horizontal bar chart as inline SVG: a label, a bar scaled to the largest value, the value.
    static func bars(_ items: [(label: String, value: Int, color: String)]) -> String {
        guard !items.isEmpty else { return "<p class=\"muted\">—</p>" }
        let row = 24, labelWidth = 310, barWidth = 260, width = labelWidth + barWidth + 60
        let top = max(1, items.map(\.value).max() ?? 1)
        var s = #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(width) \#(items.count * row + 4)" width="100%" role="img">"#
        for (i, item) in items.enumerated() {
            let y = i * row + 2
            let w = max(1, Int(Double(item.value) / Double(top) * Double(barWidth)))
            let label = item.label.count > 34 ? String(item.label.prefix(33)) + "…" : item.label
            s += #"<g><title>\#(esc(item.label)): \#(item.value)</title>"#
            s += #"<text x="\#(labelWidth - 6)" y="\#(y + 16)" text-anchor="end" class="lbl">\#(esc(label))</text>"#
            s += #"<rect x="\#(labelWidth)" y="\#(y + 3)" width="\#(w)" height="\#(row - 8)" rx="3" fill="\#(item.color)"/>"#
            s += #"<text x="\#(labelWidth + w + 6)" y="\#(y + 16)" class="val">\#(item.value)</text></g>"#
        }
        return s + "</svg>"
    }

    static let css = """
        :root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f9fafb}
        *{box-sizing:border-box}
        body{margin:0;font-family:"Sarabun","Noto Sans Thai","Leelawadee UI","Thonburi","Tahoma","Garuda","Loma","Noto Sans",system-ui,sans-serif;color:var(--fg);background:var(--bg);line-height:1.5;font-size:15px}
        header{background:#0f2a4a;color:#fff;padding:18px 28px}
        header h1{margin:0 0 4px;font-size:24px}
        header .meta{margin:2px 0;color:#cbd5e1;font-size:13px}
        header code{color:#e2e8f0}
        main{padding:16px 28px;max-width:1500px}
        h2{font-size:19px;margin:26px 0 10px}
        .cards{display:flex;gap:12px;flex-wrap:wrap}
        .card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px;min-width:170px;display:flex;flex-direction:column}
        .card .n{font-size:26px;font-weight:700}
        .card.muted .n{color:var(--muted)}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:14px;margin-top:14px}
        figure{margin:0;background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px}
        figcaption{font-weight:600;margin-bottom:6px}
        svg .lbl{font-size:13px;fill:#374151}
        svg .val{font-size:13px;fill:#111827}
        #filter{width:min(420px,100%);padding:7px 10px;border:1px solid #cbd5e1;border-radius:6px;margin-bottom:8px;font:inherit}
        .scroll{overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:8px}
        table{border-collapse:collapse;width:100%;font-size:13.5px;background:#fff}
        th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
        thead th{position:sticky;top:0;background:#eef2f7;cursor:pointer;white-space:nowrap}
        thead th[data-dir=asc]::after{content:" ▲"}
        thead th[data-dir=desc]::after{content:" ▼"}
        td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
        .id{font-family:ui-monospace,monospace;font-size:12.5px;white-space:nowrap}
        td.project{min-width:260px;max-width:420px}
        td.agency{min-width:160px;max-width:260px}
        td.winner{max-width:200px}
        td.chips{min-width:150px;max-width:240px}
        tbody tr:hover{background:#f1f5f9}
        .rule{display:inline-block;padding:0 5px;border-radius:4px;color:#fff;font-size:12px;margin:1px 0}
        .badge{display:inline-block;padding:0 6px;border-radius:10px;color:#fff;font-size:12px}
        .sev-critical{background:#7f1d1d}.sev-high{background:#b91c1c}.sev-medium{background:#d97706}.sev-low{background:#2563eb}.sev-info{background:#6b7280}
        details{background:#fff;border:1px solid var(--line);border-radius:8px;margin:6px 0;padding:6px 12px}
        details details{border-color:#eef2f7}
        summary{cursor:pointer}
        summary h2{display:inline;font-size:17px}
        ul.projects{padding-left:18px}
        ul.projects li{margin:6px 0}
        .muted,.route{color:var(--muted)}
        .note{color:#92400e;background:#fffbeb;border:1px solid #fde68a;padding:6px 10px;border-radius:6px}
        """

    static let script = """
        (function(){var t=document.getElementById('projects');if(!t)return;var body=t.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
        document.getElementById('filter').addEventListener('input',function(e){var q=e.target.value.toLowerCase();
        rows.forEach(function(r){r.hidden=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;});});
        Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){th.addEventListener('click',function(){
        var num=th.getAttribute('data-type')==='num';var dir=th.getAttribute('data-dir')==='asc'?'desc':'asc';
        Array.prototype.forEach.call(t.tHead.rows[0].cells,function(c){c.removeAttribute('data-dir');});th.setAttribute('data-dir',dir);
        function key(r){var c=r.cells[i];var v=c.hasAttribute('data-v')?c.getAttribute('data-v'):c.textContent;return num?(parseFloat(v)||0):v;}
        rows.sort(function(a,b){var x=key(a),y=key(b);var o=num?x-y:String(x).localeCompare(String(y),'th');return dir==='asc'?o:-o;});
        rows.forEach(function(r){body.appendChild(r);});});});})();
        """
}

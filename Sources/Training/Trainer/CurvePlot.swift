import Foundation

/// A small line chart as SVG: one or more series of (x, y) points on shared axes, with the
/// axis ranges printed at the corners and a legend. Enough to see a loss curve flatten or a
/// metric peak without any plotting library.
public enum CurvePlot {
    public struct Series {
        public var name: String
        public var color: String
        public var points: [(x: Double, y: Double)]

        public init(name: String, color: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.color = color
            self.points = points.filter { $0.x.isFinite && $0.y.isFinite }
        }
    }

    public static func svg(title: String, xLabel: String, series: [Series], width: Double = 640, height: Double = 360) -> String {
        let all = series.flatMap(\.points)
        let (left, right, top, bottom) = (60.0, 20.0, 30.0, 40.0)
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        var minX = all.map(\.x).min() ?? 0, maxX = all.map(\.x).max() ?? 1
        var minY = all.map(\.y).min() ?? 0, maxY = all.map(\.y).max() ?? 1
        if maxX <= minX { maxX = minX + 1 }
        if maxY <= minY { (minY, maxY) = (minY - 0.5, maxY + 0.5) }
        func px(_ x: Double) -> Double { left + (x - minX) / (maxX - minX) * plotWidth }
        func py(_ y: Double) -> Double { top + (1 - (y - minY) / (maxY - minY)) * plotHeight }
        func number(_ value: Double) -> String { String(format: abs(value) >= 1000 || value == value.rounded() ? "%.0f" : "%.4g", value) }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(Int(width / 2))" y="18" text-anchor="middle" font-size="14">\(escape(title))</text>
            <rect x="\(left)" y="\(top)" width="\(plotWidth)" height="\(plotHeight)" fill="none" stroke="#999"/>
            <text x="\(left - 4)" y="\(top + 4)" text-anchor="end">\(number(maxY))</text>
            <text x="\(left - 4)" y="\(top + plotHeight)" text-anchor="end">\(number(minY))</text>
            <text x="\(left)" y="\(top + plotHeight + 16)" text-anchor="middle">\(number(minX))</text>
            <text x="\(left + plotWidth)" y="\(top + plotHeight + 16)" text-anchor="middle">\(number(maxX))</text>
            <text x="\(Int(left + plotWidth / 2))" y="\(Int(height - 8))" text-anchor="middle">\(escape(xLabel))</text>

            """
        for (index, line) in series.enumerated() where !line.points.isEmpty {
            let path = line.points.map { String(format: "%.1f,%.1f", px($0.x), py($0.y)) }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.5\" points=\"\(path)\"/>\n"
            if line.points.count <= 50 {
                for point in line.points {
                    svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%@\"/>\n", px(point.x), py(point.y), line.color)
                }
            }
            let legendY = top + 16 + Double(index) * 16
            svg += "<text x=\"\(Int(left + plotWidth - 8))\" y=\"\(Int(legendY))\" text-anchor=\"end\" fill=\"\(line.color)\">\(escape(line.name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

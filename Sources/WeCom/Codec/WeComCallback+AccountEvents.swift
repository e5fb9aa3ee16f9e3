// Typed values of Official Account events (§E of docs/wecom-protocol.md), which WeCom
// self-built apps share in part (`subscribe`, `LOCATION`, `click`, `view`).

extension WeComCallback {
    /// A parametric QR code behind a `subscribe` or `SCAN` event.
    public struct QRScene: Hashable, Sendable {
        /// The scene value, without the `qrscene_` prefix that `subscribe` puts before it.
        public var scene: String
        /// `Ticket` of the QR code, to fetch its image.
        public var ticket: String?

        /// Creates the value.
        public init(scene: String, ticket: String?) {
            self.scene = scene
            self.ticket = ticket
        }
    }

    /// A reported position (`LOCATION` event).
    public struct Location: Hashable, Sendable {
        /// `Latitude` in degrees.
        public var latitude: Double
        /// `Longitude` in degrees.
        public var longitude: Double
        /// `Precision` in metres.
        public var precision: Double

        /// Creates the value.
        public init(latitude: Double, longitude: Double, precision: Double) {
            self.latitude = latitude
            self.longitude = longitude
            self.precision = precision
        }
    }

    /// Follow, scan, location and menu events.
    public enum AccountEvent: Hashable, Sendable {
        /// `subscribe`: a user followed; `qr` is set when they came through a parametric QR code.
        case subscribe(qr: QRScene?)
        /// `SCAN`: a follower scanned a parametric QR code.
        case scan(QRScene)
        /// `unsubscribe`: a user unfollowed.
        case unsubscribe
        /// `LOCATION`: the user's reported position.
        case location(Location)
        /// `CLICK` (WeCom: `click`): a menu button with `EventKey` `key` was pressed.
        case click(key: String)
        /// `VIEW` (WeCom: `view`): a menu link to `url` was opened.
        case view(url: String)
    }
}

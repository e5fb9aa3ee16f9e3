import Hummingbird
import SiyuCore
import SiyuStore

// Domain values that routes return as JSON as they are.
extension Channel: ResponseEncodable {}
extension ChannelStore.Statistics: ResponseEncodable {}
extension CustomerProfile: ResponseEncodable {}

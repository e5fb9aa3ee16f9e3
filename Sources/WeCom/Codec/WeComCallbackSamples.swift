/// Decrypted callback documents published by WeCom, verbatim (see `docs/wecom-protocol.md`).
///
/// Used by the benchmark and the tests, and handy for a sandbox that needs realistic events.
public enum WeComCallbackSamples {
    /// The text message inside the official A-1 POST vector, with its newlines between elements.
    public static let a1TextMessage =
        "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>"

    /// The `change_external_contact` / `add_external_contact` event of the documentation.
    public static let externalContactAdd = """
        <xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>
        <CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType>
        <Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType>
        <UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mAAAA]]></ExternalUserID>
        <State><![CDATA[teststate]]></State><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode></xml>
        """

    /// The `change_external_chat` / `update` (`add_member`) event of the documentation.
    public static let externalChatUpdate = """
        <xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>
        <CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType>
        <Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[CHAT_ID]]></ChatId>
        <ChangeType><![CDATA[update]]></ChangeType><UpdateDetail><![CDATA[add_member]]></UpdateDetail>
        <JoinScene>1</JoinScene><QuitScene>0</QuitScene><MemChangeCnt>10</MemChangeCnt>
        <MemChangeList><Item>Jack</Item><Item>Rose</Item></MemChangeList>
        <LastMemVer>9c3f97c2ada667dfb5f6d03308d963e1</LastMemVer><CurMemVer>71217227bbd112ecfe3a49c482195cb4</CurMemVer></xml>
        """
}

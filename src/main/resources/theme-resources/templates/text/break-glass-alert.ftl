<#ftl output_format="plainText">
<#-- Alert e-mail, plain text: values carry no control characters (removed before rendering). -->
${msg("breakGlassAlertIntro")}

${alertText}

Event:        ${alert.type!""}<#if alert.drill?? && alert.drill> (DRILL)</#if>
Realm:        ${alert.realm!""}
User:         ${alert.username!""}
Time (UTC):   ${alert.time!""}
Grant:        ${alert.grantId!"-"}
Audit record: ${(alert.seq!0)?c}
<#list alertDetails as d>
${d.name}: ${d.value}
</#list>
Alert id:     ${alert.id!""}

${msg("breakGlassAlertFooter")}

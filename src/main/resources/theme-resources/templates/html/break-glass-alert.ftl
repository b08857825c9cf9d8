<#-- Alert e-mail. FreeMarker escapes every value (HTML output format), so user text cannot add markup. -->
<html>
<body style="font-family: sans-serif;">
<p style="background: #c9190b; color: #fff; padding: 8px; font-weight: bold;">${alert.type!""}<#if alert.drill?? && alert.drill> (DRILL)</#if></p>
<p>${msg("breakGlassAlertIntro")}</p>
<p><strong>${alertText}</strong></p>
<table cellpadding="4" style="border-collapse: collapse;">
  <tr><td>Realm</td><td>${alert.realm!""}</td></tr>
  <tr><td>User</td><td>${alert.username!""}</td></tr>
  <tr><td>Time (UTC)</td><td>${alert.time!""}</td></tr>
  <tr><td>Grant</td><td>${alert.grantId!"-"}</td></tr>
  <tr><td>Audit record</td><td>${(alert.seq!0)?c}</td></tr>
  <#list alertDetails as d>
  <tr><td>${d.name}</td><td>${d.value}</td></tr>
  </#list>
  <tr><td>Alert id</td><td>${alert.id!""}</td></tr>
</table>
<p style="color: #6a6e73; font-size: small;">${msg("breakGlassAlertFooter")}</p>
</body>
</html>

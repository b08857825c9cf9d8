<#import "template.ftl" as layout>
<@layout.registrationLayout displayMessage=true; section>
<#if section = "header">
    ${msg("breakGlassDeniedTitle")}
<#elseif section = "form">
    <div id="bg-denied" class="bg-denied">
        <p>${msg("breakGlassDeniedHelp")}</p>
    </div>
</#if>
</@layout.registrationLayout>

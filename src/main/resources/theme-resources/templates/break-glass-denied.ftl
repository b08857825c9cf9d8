<#import "template.ftl" as layout>
<#-- The gate's refusal. The reason (not eligible / policy unavailable) arrives as the page's error
     message, which the layout shows as a danger alert; this page adds what to do next and a way to
     sign in as someone else, and says nothing about which roles exist. -->
<@layout.registrationLayout displayMessage=true; section>
<#if section = "header">
    ${msg("breakGlassDeniedTitle")}
<#elseif section = "form">
    <link rel="stylesheet" href="${url.resourcesPath}/css/break-glass.css"/>
    <script src="${url.resourcesPath}/js/break-glass.js" defer></script>
    <div id="bg-denied" class="bg-denied">
        <p id="bg-denied-nothing">${msg("breakGlassDeniedNothingGranted")}</p>
        <p id="bg-denied-help">${msg("breakGlassDeniedHelp")}</p>
        <div class="${properties.kcFormActionGroupClass!'pf-v5-c-form__actions'}">
            <a id="bg-restart" href="${url.loginRestartFlowUrl}"
               class="${properties.kcButtonClass!} ${properties.kcButtonSecondaryClass!} ${properties.kcButtonBlockClass!}">${msg("breakGlassDeniedRestart")}</a>
        </div>
    </div>
</#if>
</@layout.registrationLayout>
